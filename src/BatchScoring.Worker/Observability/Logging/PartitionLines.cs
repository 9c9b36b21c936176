using Serilog.Events;

namespace BatchScoring.Worker.Observability.Logging;

/// <summary>
/// While the command line shows a run's progress, the per-partition Information lines ("Partition … succeeded")
/// are left to Debug: the progress display sums them up, and a long backfill would otherwise print thousands.
/// </summary>
internal static class PartitionLines
{
    private static int _displays;

    public static IDisposable WhileProgressIsShown()
    {
        Interlocked.Increment(ref _displays);
        return new Shown();
    }

    public static bool Hidden(LogEvent e)
        => Volatile.Read(ref _displays) > 0 && e.Level == LogEventLevel.Information && e.Properties.ContainsKey(LogScope.PartitionId);

    private sealed class Shown : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
                Interlocked.Decrement(ref _displays);
        }
    }
}
