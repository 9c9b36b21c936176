using System.Globalization;
using BatchScoring.Postgres.Ledger;

namespace BatchScoring.Worker.Cli;

/// <summary><c>runs show</c> as text: the run's summary, and every partition only when asked.</summary>
internal static class RunShowText
{
    public static void Print(RunRecord run, RunOverview overview, IReadOnlyList<PartitionRecord>? partitions)
    {
        Console.WriteLine($"Run {run.RunId} of {run.JobName} ({run.Trigger}): {run.Status}");
        Console.WriteLine($"  window      {(run.WindowStart is null ? "whole source" : $"[{run.WindowStart:yyyy-MM-ddTHH:mm:ssZ}, {run.WindowEnd:yyyy-MM-ddTHH:mm:ssZ}) UTC")}");
        Console.WriteLine($"  model       {run.ModelName} {run.ModelVersion}");
        Console.WriteLine($"  rows        {run.RowsRead:N0} read, {run.RowsScored:N0} scored, {run.RowsUnchanged:N0} unchanged, {run.RowsFailed:N0} dead-lettered");
        var duration = OutputFormat.Seconds(run.StartedAt, run.FinishedAt ?? DateTime.UtcNow);
        Console.WriteLine($"  time        {run.StartedAt:yyyy-MM-dd HH:mm:ss} .. {(run.FinishedAt is { } f ? f.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture) : "still running")} ({OutputFormat.Duration(duration)})");
        if (run.RolledBackAt is { } rolledBack)
            Console.WriteLine($"  rolled back {rolledBack:yyyy-MM-dd HH:mm:ss}: its rows left the output table, the runs it had replaced are back");
        var total = overview.PartitionsByStatus.Values.Sum();
        Console.WriteLine($"  partitions  {total}: {string.Join(", ", overview.PartitionsByStatus.Select(s => $"{s.Value} {s.Key}"))}");
        Console.WriteLine($"  drift       {Drift(overview.Drift, run.RunId)}");
        Console.WriteLine($"  shadow      {Shadow(overview.Shadow)}");
        if (run.Error is not null)
            Console.WriteLine($"  error       {run.Error}");
        if (overview.Slowest.Count > 0)
        {
            Console.WriteLine();
            Console.WriteLine("Slowest partitions:");
            foreach (var p in overview.Slowest)
                Console.WriteLine($"  {p.PartitionId,10}  {p.PartitionKey,-36} {OutputFormat.Duration(OutputFormat.Seconds(p.StartedAt, p.FinishedAt)),9} {p.RowsScored,12:N0} rows" +
                                  (p.RowsUnchanged > 0 ? $" (+{p.RowsUnchanged:N0} unchanged)" : ""));
        }
        if (overview.Failed.Count > 0)
        {
            Console.WriteLine();
            Console.WriteLine("Failed partitions:");
            foreach (var p in overview.Failed)
                Console.WriteLine($"  {p.PartitionId,10}  {p.PartitionKey,-36} {p.Attempts,2} tries  {RunsCommands.Shorten(p.LastError, 90)}");
        }
        Console.WriteLine();
        if (partitions is null)
        {
            Console.WriteLine($"({total} partitions; list them with `{CliCommand.Here($"runs show {run.RunId} --partitions")}`)");
            return;
        }
        // The unchanged column only for runs of output.skip_unchanged that found some.
        var unchanged = run.RowsUnchanged > 0;
        Console.WriteLine($"{"partition",10}  {"key",-36} {"status",-10} {"tries",5} {"rows",10}{(unchanged ? $" {"unchanged",10}" : "")} {"failed",7} {"time",9}  error");
        foreach (var p in partitions)
            Console.WriteLine($"{p.PartitionId,10}  {p.PartitionKey,-36} {p.Status,-10} {p.Attempts,5} {p.RowsScored,10:N0}{(unchanged ? $" {p.RowsUnchanged,10:N0}" : "")} {p.RowsFailed,7:N0} " +
                              $"{OutputFormat.Duration(OutputFormat.Seconds(p.StartedAt, p.FinishedAt)),9}  {p.LastError}");
    }

    private static string Drift(DriftVerdict? drift, long runId) => drift is null
        ? "not measured (no reference profile)"
        : $"{(drift.DatasetDrift ? "DRIFT" : "no dataset drift")}: {drift.DriftedFeatures} of {drift.InputFeatures} input features drifted" +
          $"{(drift.PredictionDrift ? ", predictions drifted" : "")} (against {drift.Reference}; `{CliCommand.Here($"report {runId}")}` for the details)";

    internal static string Shadow(ShadowFigures? shadow) => shadow is null
        ? "none"
        : $"challenger {shadow.ChallengerName} {shadow.ChallengerVersion}: {shadow.Rows:N0} rows" +
          (shadow.LabelAgreement is { } a ? $", labels agree {a:P1}" : "") +
          (shadow.MeanAbsoluteScoreDifference is { } d ? $", mean |score difference| {d:G3}" : "") +
          (shadow.ScoreCorrelation is { } c ? $", score correlation {c:F3}" : "");
}
