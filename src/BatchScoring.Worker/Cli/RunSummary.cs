using BatchScoring.Worker.Execution;

namespace BatchScoring.Worker.Cli;

/// <summary>How a run of <c>run</c>, <c>backfill</c> or <c>retry</c> ended, on stdout: text, or the JSON documented in the README.</summary>
internal static class RunSummary
{
    public static void Print(RunOutcome outcome, bool json)
    {
        if (json)
        {
            OutputFormat.Write(new
            {
                outcome.RunId,
                outcome.Status,
                outcome.RowsRead,
                outcome.RowsScored,
                outcome.RowsFailed,
                outcome.RowsUnchanged,
                ElapsedSeconds = Math.Round(outcome.Elapsed.TotalSeconds, 1),
                RowsPerSecond = Math.Round(outcome.RowsPerSecond),
                outcome.Output,
                outcome.Error,
            });
            return;
        }
        Console.WriteLine($"Run {outcome.RunId}: {outcome.Status}");
        Console.WriteLine($"  rows scored  {outcome.RowsScored:N0} of {outcome.RowsRead:N0} read in {outcome.Elapsed.TotalSeconds:F1} s ({outcome.RowsPerSecond:N0} rows/s)"
            + (outcome.RowsUnchanged > 0 ? $", {outcome.RowsUnchanged:N0} unchanged" : ""));
        Console.WriteLine($"  output       {outcome.Output}");
        if (outcome.Error is not null)
            Console.WriteLine($"  error        {outcome.Error}");
    }
}
