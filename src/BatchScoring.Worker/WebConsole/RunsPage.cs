using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
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
/// While a listed run is pending or running the page polls its JSON twin, which has rows/s and ETA for those runs.
/// </summary>
internal sealed class RunsPage(RunBrowser browser, RunSummaries summaries, RunLedger ledger, TimeProvider clock)
{
    public const int PageSize = 50;
    private static readonly string[] Statuses = ["pending", RunStatus.Running, RunStatus.Succeeded, RunStatus.PartiallyFailed, RunStatus.Failed, RunStatus.Cancelled];
    private static readonly string[] Triggers = [RunTrigger.Schedule, RunTrigger.Backfill, RunTrigger.Manual, RunTrigger.Retry];

    /// <param name="Live">The progress of each listed run that is pending or running.</param>
    /// <param name="Query">The request's query string, which the page's poll repeats.</param>
    public sealed record View(RunFilter Filter, long Total, IReadOnlyList<RunRecord> Runs, IReadOnlyDictionary<long, string> FirstErrors, long? NextBefore,
        IReadOnlyDictionary<long, RunPage.Progress> Live, string Query);

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
        var live = new Dictionary<long, RunPage.Progress>();
        var now = clock.GetUtcNow().UtcDateTime;
        foreach (var run in page.Runs.Where(IsLive))
            live[run.RunId] = RunPage.Measure(run, await ledger.PartitionsAsync(run.RunId, cancellationToken), now);
        return new View(filter, page.Total, page.Runs, errors, next, live, query.Count == 0 ? "" : QueryString.Create(query).Value ?? "");
    }

    /// <summary>The objects of <c>runs -o json</c>, each with <c>progress</c> (null unless the run is pending or running).</summary>
    public static JsonNode Json(View view)
    {
        var runs = new JsonArray();
        foreach (var r in view.Runs)
        {
            var run = JsonNode.Parse(OutputFormat.Serialize(RunsJson.Run(r, view.FirstErrors.GetValueOrDefault(r.RunId))))!.AsObject();
            run["progress"] = view.Live.TryGetValue(r.RunId, out var progress) ? JsonNode.Parse(OutputFormat.Serialize(progress)) : null;
            runs.Add(run);
        }
        var json = JsonNode.Parse(OutputFormat.Serialize(new { view.Filter, view.Total, view.NextBefore }))!.AsObject();
        json["runs"] = runs;
        return json;
    }

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
            ["run", "job", "trigger", "status", "started", "duration", "rows scored", "speed", "dead letters", "first error"],
            view.Runs.Select(r => RunRow(r, view.Live.GetValueOrDefault(r.RunId), view.FirstErrors.GetValueOrDefault(r.RunId))),
            "No runs match."));
        body.Append($"<div class=\"pager\"><span>{E(view.Total)} run(s)</span>");
        if (view.Live.Count > 0)
            body.Append("<span class=\"legend\" data-field=\"updated\">(live)</span>");
        if (view.NextBefore is { } next)
            body.Append($"<a href=\"/?{E(Query(f, next))}\">older runs →</a>");
        body.Append("</div>");
        return Page("Runs", body.ToString(), view.Live.Count > 0 ? "/api/runs" + view.Query : null);
    }

    private static bool IsLive(RunRecord run) => run.Status is RunStatus.Running or "pending";

    /// <summary>A run's row; a live run's cells that <c>console.js</c> updates carry <c>data-field</c>.</summary>
    private static string RunRow(RunRecord r, RunPage.Progress? live, string? firstError)
    {
        var duration = E(OutputFormat.Duration(OutputFormat.Seconds(r.StartedAt, r.FinishedAt ?? (r.StartedAt is null ? null : DateTime.UtcNow))));
        var speed = live is null ? "" : $"<span data-field=\"rows_per_second\">{E((long)live.RowsPerSecond)}</span> rows/s, ETA <span data-field=\"eta\">{E(RunPage.Eta(live.EtaSeconds))}</span>";
        return $"<tr data-run=\"{r.RunId}\"><td>{RunLink(r.RunId)}</td><td>{JobLink(r.JobName)}</td><td>{E(r.Trigger)}</td><td>{Status(r.Status)}</td><td>{Time(r.StartedAt ?? r.CreatedAt)}</td>" +
               $"<td>{duration}</td><td data-field=\"rows_scored\">{E(live is null ? r.RowsScored : Math.Max(r.RowsScored, live.RowsScored))}</td><td>{speed}</td>" +
               $"<td data-field=\"rows_failed\">{E(r.RowsFailed)}</td><td>{Short(firstError, 90)}</td></tr>";
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
