using System.Globalization;
using System.Text;
using BatchScoring.Core.Errors;
using BatchScoring.Core.Runs;
using BatchScoring.Postgres.Ledger;
using BatchScoring.Worker.Cli;
using Microsoft.AspNetCore.Http;
using static BatchScoring.Worker.WebConsole.ConsoleHtml;

namespace BatchScoring.Worker.WebConsole;

/// <summary>
/// <c>/</c> and <c>/api/runs</c>: runs newest first, filtered by job, status, trigger and creation time
/// (<c>?job=&amp;status=&amp;trigger=&amp;from=&amp;to=</c>), <see cref="PageSize"/> a page, older pages by <c>?before=RUN_ID</c>.
/// </summary>
internal sealed class RunsPage(RunBrowser browser, RunSummaries summaries)
{
    public const int PageSize = 50;
    private static readonly string[] Statuses = ["pending", RunStatus.Running, RunStatus.Succeeded, RunStatus.PartiallyFailed, RunStatus.Failed, RunStatus.Cancelled];
    private static readonly string[] Triggers = [RunTrigger.Schedule, RunTrigger.Backfill, RunTrigger.Manual, RunTrigger.Retry];

    public sealed record View(RunFilter Filter, long Total, IReadOnlyList<RunRecord> Runs, IReadOnlyDictionary<long, string> FirstErrors, long? NextBefore);

    public async Task<View> LoadAsync(IQueryCollection query, CancellationToken cancellationToken)
    {
        var filter = new RunFilter(
            Text(query, "job"), OneOf(query, "status", Statuses), OneOf(query, "trigger", Triggers), Instant(query, "from"), Instant(query, "to"));
        long? before = query.TryGetValue("before", out var b) && b.ToString().Length > 0
            ? long.TryParse(b, NumberStyles.None, CultureInfo.InvariantCulture, out var id) ? id : throw new BatchScoringException($"before: '{b}' is not a run id.")
            : null;
        var page = await browser.PageAsync(filter, PageSize, before, cancellationToken);
        var errors = await summaries.FirstErrorsAsync(page.Runs.Select(r => r.RunId).ToArray(), cancellationToken);
        var next = page.Runs.Count == PageSize ? page.Runs[^1].RunId : (long?)null;
        return new View(filter, page.Total, page.Runs, errors, next);
    }

    public static object Json(View view) => new
    {
        Filter = view.Filter,
        view.Total,
        view.NextBefore,
        Runs = view.Runs.Select(r => RunsJson.Run(r, view.FirstErrors.GetValueOrDefault(r.RunId))),
    };

    public static string Html(View view)
    {
        var f = view.Filter;
        var body = new StringBuilder("<form class=\"filter\" method=\"get\" action=\"/\">");
        body.Append($"<label>job<input name=\"job\" value=\"{E(f.Job)}\"></label>");
        body.Append(Select("status", Statuses, f.Status)).Append(Select("trigger", Triggers, f.Trigger));
        body.Append($"<label>from (UTC)<input type=\"date\" name=\"from\" value=\"{E(f.From?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture))}\"></label>");
        body.Append($"<label>to (UTC)<input type=\"date\" name=\"to\" value=\"{E(f.To?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture))}\"></label>");
        body.Append("<button type=\"submit\">filter</button> <a href=\"/\">clear</a></form>");
        body.Append(Table(
            ["run", "job", "trigger", "status", "started", "duration", "rows scored", "dead letters", "first error"],
            view.Runs.Select(r => Row(
                RunLink(r.RunId), JobLink(r.JobName), E(r.Trigger), Status(r.Status), Time(r.StartedAt ?? r.CreatedAt),
                E(OutputFormat.Duration(OutputFormat.Seconds(r.StartedAt, r.FinishedAt ?? (r.StartedAt is null ? null : DateTime.UtcNow)))),
                E(r.RowsScored), E(r.RowsFailed), Short(view.FirstErrors.GetValueOrDefault(r.RunId), 90))),
            "No runs match."));
        body.Append($"<div class=\"pager\"><span>{E(view.Total)} run(s)</span>");
        if (view.NextBefore is { } next)
            body.Append($"<a href=\"/?{E(Query(f, next))}\">older runs →</a>");
        body.Append("</div>");
        return Page("Runs", body.ToString());
    }

    private static string Select(string name, IEnumerable<string> values, string? selected)
    {
        var html = new StringBuilder($"<label>{E(name)}<select name=\"{E(name)}\"><option value=\"\">any</option>");
        foreach (var value in values)
            html.Append($"<option{(value == selected ? " selected" : "")}>{E(value)}</option>");
        return html.Append("</select></label>").ToString();
    }

    private static string Query(RunFilter f, long before)
    {
        var parts = new List<string>();
        void Add(string key, string? value)
        {
            if (!string.IsNullOrEmpty(value))
                parts.Add($"{key}={Uri.EscapeDataString(value)}");
        }
        Add("job", f.Job);
        Add("status", f.Status);
        Add("trigger", f.Trigger);
        Add("from", f.From?.ToString("O", CultureInfo.InvariantCulture));
        Add("to", f.To?.ToString("O", CultureInfo.InvariantCulture));
        Add("before", before.ToString(CultureInfo.InvariantCulture));
        return string.Join('&', parts);
    }

    private static string? Text(IQueryCollection query, string key) => query[key].ToString() is { Length: > 0 } value ? value : null;

    private static string? OneOf(IQueryCollection query, string key, string[] allowed) => Text(query, key) is { } value
        ? allowed.Contains(value) ? value : throw new BatchScoringException($"{key}: '{value}' is not one of {string.Join(", ", allowed)}.")
        : null;

    /// <summary>A date (midnight UTC) or an ISO 8601 instant; without an offset it is UTC.</summary>
    private static DateTime? Instant(IQueryCollection query, string key) => Text(query, key) is { } value
        ? DateTime.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var instant)
            ? DateTime.SpecifyKind(instant, DateTimeKind.Utc)
            : throw new BatchScoringException($"{key}: '{value}' is not a date or time (e.g. 2026-09-01 or 2026-09-01T06:00Z).")
        : null;
}
