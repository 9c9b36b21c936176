using BatchScoring.Postgres.Ledger;

namespace BatchScoring.Worker.Cli;

/// <summary>The JSON of <c>runs -o json</c> and <c>runs show -o json</c> (documented in the README; keep it stable).</summary>
internal static class RunsJson
{
    public static object Run(RunRecord run, string? firstError) => new
    {
        run.RunId,
        run.JobName,
        run.Trigger,
        run.Status,
        WindowStart = Utc(run.WindowStart),
        WindowEnd = Utc(run.WindowEnd),
        run.ModelName,
        run.ModelVersion,
        run.RowsRead,
        run.RowsScored,
        run.RowsFailed,
        run.RowsUnchanged,
        StartedAt = Utc(run.StartedAt),
        FinishedAt = Utc(run.FinishedAt),
        DurationSeconds = OutputFormat.Seconds(run.StartedAt, run.FinishedAt),
        RolledBackAt = Utc(run.RolledBackAt),
        FirstError = firstError,
    };

    public static object Show(RunRecord run, string? firstError, RunOverview overview, IReadOnlyList<PartitionRecord>? partitions) => new
    {
        Run = Run(run, firstError),
        PartitionsByStatus = overview.PartitionsByStatus,
        Slowest = overview.Slowest.Select(p => new
        {
            p.PartitionId, p.PartitionKey, Seconds = OutputFormat.Seconds(p.StartedAt, p.FinishedAt), p.RowsScored,
        }),
        Failed = overview.Failed.Select(p => new { p.PartitionId, p.PartitionKey, p.Attempts, Error = p.LastError }),
        Drift = overview.Drift,
        Shadow = overview.Shadow,
        Partitions = partitions?.Select(p => new
        {
            p.PartitionId, p.PartitionKey, p.Status, p.Attempts, p.RowsRead, p.RowsScored, p.RowsFailed, p.RowsUnchanged,
            StartedAt = Utc(p.StartedAt), FinishedAt = Utc(p.FinishedAt), Seconds = OutputFormat.Seconds(p.StartedAt, p.FinishedAt), Error = p.LastError,
        }),
    };

    private static DateTime? Utc(DateTime? value) => value is { } v ? DateTime.SpecifyKind(v.ToUniversalTime(), DateTimeKind.Utc) : null;
}
