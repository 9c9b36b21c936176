using BatchScoring.Worker.Execution;

namespace BatchScoring.Worker.Cli;

internal static class RunSummary
{
    public static void Print(RunOutcome outcome)
    {
        Console.WriteLine($"Run {outcome.RunId}: {outcome.Status}");
        Console.WriteLine($"  rows scored  {outcome.RowsScored:N0} of {outcome.RowsRead:N0} read in {outcome.Elapsed.TotalSeconds:F1} s ({outcome.RowsPerSecond:N0} rows/s)");
        Console.WriteLine($"  output       {outcome.Output}");
        if (outcome.Error is not null)
            Console.WriteLine($"  error        {outcome.Error}");
    }
}
