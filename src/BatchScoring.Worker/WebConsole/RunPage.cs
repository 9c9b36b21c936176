using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using BatchScoring.Core.Errors;
using BatchScoring.Core.Runs;
using BatchScoring.Postgres.Ledger;
using BatchScoring.Worker.Cli;
using BatchScoring.Worker.Execution;
using static BatchScoring.Worker.WebConsole.ConsoleHtml;

namespace BatchScoring.Worker.WebConsole;

/// <summary>
/// <c>/runs/{id}</c> and <c>/api/runs/{id}</c>: a run as <c>runs show</c> has it (partitions by status, slowest and
/// failed ones, drift verdict, shadow agreement) plus every partition as a grid, its dead letters, its progress
/// (rows/s and ETA as the CLI computes them) and its drift report inline. The page of a live run polls
/// <c>/api/runs/{id}?partitions=changed&amp;since=CURSOR</c>, which lists only the partitions that may have changed.
/// </summary>
internal sealed class RunPage(RunLedger ledger, RunSummaries summaries, RunBrowser browser)
{
    public const int PartitionsPerPage = 100;
    private const int Top = 5;
    private const int DeadLetterGroups = 20;

    /// <summary>
    /// How far before the cursor a finish still counts as changed: <c>finished_at</c> is the clock when the UPDATE ran,
    /// and its transaction may commit (become visible) a moment after a later finish was already read.
    /// </summary>
    private static readonly TimeSpan CommitSlack = TimeSpan.FromSeconds(10);

    public sealed record Progress(int Partitions, int PartitionsDone, int PartitionsRunning, int PartitionsFailed, long RowsScored, long EstimatedRows,
        double RowsPerSecond, double? EtaSeconds);

    public sealed record View(RunRecord Run, string? FirstError, RunOverview Overview, IReadOnlyList<PartitionRecord> Partitions,
        IReadOnlyList<DeadLetterGroup> DeadLetters, Progress Figures)
    {
        public bool IsLive => Run.Status is RunStatus.Running or "pending";

        /// <summary>The latest partition finish the view has seen (the run's start before any): what the next poll passes as <c>since</c>.</summary>
        public DateTime Cursor => Partitions.Max(p => p.FinishedAt) ?? Run.StartedAt ?? Run.CreatedAt;

        public string LiveUrl => string.Create(CultureInfo.InvariantCulture, $"/api/runs/{Run.RunId}?partitions=changed&since={Uri.EscapeDataString(Instant(Cursor))}");
    }

    /// <summary>
    /// <c>?partitions=changed&amp;since=INSTANT</c>: the partitions of a live run that are running, waiting for a retry or
    /// finished since then (the rest are pending as before, or finished as the caller saw them). Null (every partition)
    /// without it; once the run is no longer live every partition is listed, so the caller ends with the final states.
    /// </summary>
    public static DateTime? Since(string? partitions, string? since) => partitions switch
    {
        null or "" or "all" => null,
        "changed" => DateTime.TryParse(since, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var instant)
            ? DateTime.SpecifyKind(instant, DateTimeKind.Utc)
            : throw new BatchScoringException($"since: '{since}' is not an ISO 8601 instant (partitions=changed needs the cursor of the previous answer)."),
        _ => throw new BatchScoringException($"partitions: '{partitions}' is not one of all, changed."),
    };

    /// <summary>The run, or null when the ledger has no such run.</summary>
    public async Task<View?> LoadAsync(long runId, DateTime now, CancellationToken cancellationToken)
    {
        if (await ledger.GetAsync(runId, cancellationToken) is not { } run)
            return null;
        var overview = await summaries.SummarizeAsync(runId, Top, cancellationToken);
        var partitions = await ledger.PartitionsAsync(runId, cancellationToken);
        var firstError = (await summaries.FirstErrorsAsync([runId], cancellationToken)).GetValueOrDefault(runId);
        var deadLetters = await browser.DeadLettersAsync(runId, DeadLetterGroups, cancellationToken);
        return new View(run, firstError, overview, partitions, deadLetters, Measure(run, partitions, now));
    }

    /// <summary>Rows count when their partition commits, as the CLI's progress line counts them.</summary>
    internal static Progress Measure(RunRecord run, IReadOnlyList<PartitionRecord> partitions, DateTime now)
    {
        var done = partitions.Count(p => PartitionStatus.IsFinished(p.Status));
        var rows = partitions.Sum(p => p.RowsScored);
        var estimated = partitions.Sum(p => p.EstimatedRows ?? 0);
        var elapsed = (run.FinishedAt ?? now) - (run.StartedAt ?? run.CreatedAt);
        var progress = new RunProgress(run.RunId, partitions.Count, done, rows, estimated,
            partitions.Count(p => p.Status == PartitionStatus.Running), partitions.Count(p => p.Status == PartitionStatus.Failed),
            RowsUnchanged: partitions.Sum(p => p.RowsUnchanged));
        var rate = elapsed.TotalSeconds > 0 ? rows / elapsed.TotalSeconds : 0;
        var eta = run.FinishedAt is null ? ProgressPrinter.Eta(progress, elapsed) : null;
        return new Progress(progress.Partitions, done, progress.PartitionsRunning, progress.PartitionsFailed, rows, estimated,
            Math.Round(rate, 1), eta is { } e ? Math.Round(e.TotalSeconds) : null);
    }

    /// <summary>
    /// <c>runs show -o json</c> with every partition (those changed after <paramref name="since"/> while the run is live),
    /// plus <c>progress</c>, <c>dead_letters</c>, <c>report</c> and <c>cursor</c>.
    /// </summary>
    public static JsonNode Json(View view, DateTime? since = null)
    {
        var partitions = since is { } from && view.IsLive
            ? view.Partitions.Where(p => p.Status == PartitionStatus.Running || (p.Status == PartitionStatus.Pending && p.Attempts > 0) || p.FinishedAt >= from - CommitSlack).ToArray()
            : view.Partitions;
        var json = JsonNode.Parse(OutputFormat.Serialize(RunsJson.Show(view.Run, view.FirstError, view.Overview, partitions)))!.AsObject();
        json["cursor"] = Instant(view.Cursor);
        json["progress"] = JsonNode.Parse(OutputFormat.Serialize(view.Figures));
        json["dead_letters"] = JsonNode.Parse(OutputFormat.Serialize(view.DeadLetters));
        json["report"] = view.Overview.Drift is null ? null : $"/runs/{view.Run.RunId}/report";
        return json;
    }

    public static string Html(View view, int page)
    {
        var run = view.Run;
        var p = view.Figures;
        var body = new StringBuilder();
        var window = run.WindowStart is null ? "whole source" : $"{Time(run.WindowStart)} to {Time(run.WindowEnd)}";
        var duration = OutputFormat.Duration(OutputFormat.Seconds(run.StartedAt ?? run.CreatedAt, run.FinishedAt ?? DateTime.UtcNow));
        body.Append(Facts(
            ("job", JobLink(run.JobName)),
            ("trigger", E(run.Trigger)),
            ("status", $"<span data-field=\"status\" class=\"status s-{E(run.Status)}\">{E(run.Status.Replace('_', ' '))}</span>"),
            ("window", E(window)),
            ("model", E($"{run.ModelName} {run.ModelVersion}")),
            ("rows", $"<span data-field=\"rows_read\">{E(run.RowsRead)}</span> read, <span data-field=\"rows_scored\">{E(Math.Max(run.RowsScored, p.RowsScored))}</span> scored, <span data-field=\"rows_failed\">{E(run.RowsFailed)}</span> dead-lettered"),
            ("time", E($"{Time(run.StartedAt ?? run.CreatedAt)} .. {(run.FinishedAt is null ? "still running" : Time(run.FinishedAt))} ({duration})")),
            ("partitions", $"<span data-field=\"partitions_done\">{E(p.PartitionsDone)} of {E(p.Partitions)}</span> done: {E(string.Join(", ", view.Overview.PartitionsByStatus.Select(s => $"{s.Value} {s.Key}")))}"),
            ("speed", $"<span data-field=\"rows_per_second\">{E((long)p.RowsPerSecond)}</span> rows/s{(view.IsLive ? $", ETA <span data-field=\"eta\">{E(Eta(p.EtaSeconds))}</span> <span class=\"legend\" data-field=\"updated\">(live)</span>" : "")}"),
            ("drift", Drift(view)),
            ("shadow", E(RunShowText.Shadow(view.Overview.Shadow))),
            ("first error", E(view.FirstError))));

        body.Append("<h2>Partitions</h2><div class=\"grid\">");
        for (var i = 0; i < view.Partitions.Count; i++)
        {
            var x = view.Partitions[i];
            body.Append($"<a id=\"p-{x.PartitionId}\" class=\"cell s-{E(x.Status)}\" href=\"?page={i / PartitionsPerPage + 1}#t-{x.PartitionId}\" title=\"{E(x.PartitionKey)}: {E(x.Status)}\"></a>");
        }
        body.Append("</div><p class=\"legend\">green succeeded · blue running · grey pending · red failed · amber cancelled</p>");

        if (view.Overview.Slowest.Count > 0)
        {
            body.Append("<h2>Slowest partitions</h2>").Append(Table(["partition", "key", "time", "rows"], view.Overview.Slowest.Select(s => Row(
                E(s.PartitionId), E(s.PartitionKey), E(OutputFormat.Duration(OutputFormat.Seconds(s.StartedAt, s.FinishedAt))), E(s.RowsScored)))));
        }
        if (view.Overview.Failed.Count > 0)
        {
            body.Append("<h2>Failed partitions</h2>").Append(Table(["partition", "key", "tries", "error"], view.Overview.Failed.Select(f => Row(
                E(f.PartitionId), E(f.PartitionKey), E(f.Attempts), E(f.LastError)))));
        }
        body.Append("<h2>Dead letters</h2>").Append(Table(["stage", "reason", "rows", "a key"], view.DeadLetters.Select(d => Row(
            E(d.Stage), E(d.Reason), E(d.Rows), E(d.SampleKey))), "No row of this run was dead-lettered."));

        AppendPartitionTable(body, view, page);
        if (view.Overview.Drift is not null)
            body.Append($"<h2>Drift report</h2><p><a href=\"/runs/{run.RunId}/report\">open the report on its own</a></p><iframe class=\"report\" title=\"drift report\" src=\"/runs/{run.RunId}/report\"></iframe>");
        return Page($"Run {run.RunId} of {run.JobName}", body.ToString(), view.IsLive ? view.LiveUrl : null);
    }

    /// <param name="page">1-based, clamped to the pages there are.</param>
    private static void AppendPartitionTable(StringBuilder body, View view, int page)
    {
        var pages = Math.Max(1, (view.Partitions.Count + PartitionsPerPage - 1) / PartitionsPerPage);
        page = Math.Clamp(page, 1, pages);
        var rows = view.Partitions.Skip((page - 1) * PartitionsPerPage).Take(PartitionsPerPage).Select(x =>
            $"<tr id=\"t-{x.PartitionId}\"><td>{E(x.PartitionId)}</td><td>{E(x.PartitionKey)}</td><td>{Status(x.Status)}</td><td>{E(x.Attempts)}</td><td>{E(x.RowsScored)}</td><td>{E(x.RowsFailed)}</td><td>{E(OutputFormat.Duration(OutputFormat.Seconds(x.StartedAt, x.FinishedAt)))}</td><td>{Short(x.LastError, 120)}</td></tr>");
        body.Append($"<h2>Partition list (page {page} of {pages})</h2>")
            .Append(Table(["partition", "key", "status", "tries", "rows", "failed", "time", "error"], rows, "This run has no partitions."));
        body.Append("<div class=\"pager\">");
        if (page > 1)
            body.Append($"<a href=\"?page={page - 1}\">← previous</a>");
        if (page < pages)
            body.Append($"<a href=\"?page={page + 1}\">next →</a>");
        body.Append("</div>");
    }

    private static string Instant(DateTime utc) => DateTime.SpecifyKind(utc.ToUniversalTime(), DateTimeKind.Utc).ToString("O", CultureInfo.InvariantCulture);

    internal static string Eta(double? seconds) => seconds is { } s ? TimeSpan.FromSeconds(s).ToString(@"hh\:mm\:ss", CultureInfo.InvariantCulture) : "unknown";

    private static string Drift(View view) => view.Overview.Drift is not { } d
        ? "not measured (no reference profile)"
        : (d.DatasetDrift ? "<span class=\"drift\">DRIFT</span>" : "<span class=\"ok\">no dataset drift</span>") +
          E($": {d.DriftedFeatures} of {d.InputFeatures} input features drifted{(d.PredictionDrift ? ", predictions drifted" : "")} (against {d.Reference})");
}
