using BatchScoring.Worker.Execution;

namespace BatchScoring.Worker.Cli;

/// <summary>
/// Shows a run's progress: a bar redrawn in place on a terminal, a plain line every few seconds
/// when the output is redirected (logs, CI).
/// </summary>
internal sealed class ProgressPrinter(string? job, string scope) : IProgress<RunProgress>
{
    private static readonly TimeSpan PlainInterval = TimeSpan.FromSeconds(5);
    private readonly DateTime _started = DateTime.UtcNow;
    private readonly bool _terminal = !Console.IsOutputRedirected;
    private DateTime _lastPlain = DateTime.MinValue;
    private bool _headerPrinted;

    public void Report(RunProgress value)
    {
        if (!_headerPrinted)
        {
            _headerPrinted = true;
            Console.Error.WriteLine($"Run {value.RunId}{(job is null ? "" : $" of {job}")}: {scope}, {value.Partitions} partitions");
        }
        var elapsed = DateTime.UtcNow - _started;
        var fraction = value.Partitions == 0 ? 1 : (double)value.PartitionsDone / value.Partitions;
        var eta = fraction > 0 && fraction < 1 ? TimeSpan.FromSeconds(elapsed.TotalSeconds * (1 - fraction) / fraction) : (TimeSpan?)null;
        var rate = elapsed.TotalSeconds > 0 ? value.RowsScored / elapsed.TotalSeconds : 0;
        var text = $"{value.PartitionsDone}/{value.Partitions} partitions, {value.RowsScored:N0} rows ({rate:N0} rows/s)" +
                   (eta is { } e ? $", ETA {e:hh\\:mm\\:ss}" : "");
        if (_terminal)
        {
            const int width = 30;
            var filled = (int)Math.Round(fraction * width);
            Console.Write($"\r[{new string('#', filled)}{new string('-', width - filled)}] {text}   ");
            if (value.PartitionsDone == value.Partitions)
                Console.WriteLine();
        }
        else if (DateTime.UtcNow - _lastPlain >= PlainInterval || value.PartitionsDone == value.Partitions)
        {
            _lastPlain = DateTime.UtcNow;
            Console.WriteLine($"run {value.RunId}: {text}");
        }
    }
}
