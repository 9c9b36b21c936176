using BatchScoring.Worker.Execution;
using BatchScoring.Worker.Observability.Logging;
using Serilog;

namespace BatchScoring.Worker.Cli;

/// <summary>
/// Shows a run's progress on stderr (stdout is for the summary). On a terminal: a header, then one status line
/// redrawn in place under the log (rows, partitions done, running and failed, rows/s, ETA). Redirected: the same
/// as a log event, in the log's format, every tenth of the partitions or every 10 s, whichever comes first.
/// Either way the per-partition lines are left to Debug while it is shown (<see cref="PartitionLines"/>).
/// </summary>
internal sealed class ProgressPrinter : IProgress<RunProgress>, IDisposable
{
    private static readonly TimeSpan PlainInterval = TimeSpan.FromSeconds(10);
    private readonly string? _job;
    private readonly string _scope;
    private readonly DateTime _started = DateTime.UtcNow;
    private readonly IDisposable _partitionLines = PartitionLines.WhileProgressIsShown();
    private readonly LiveLine? _live;
    private readonly TextWriter? _stderr;
    private readonly Lock _lock = new();
    private DateTime _lastPlain = DateTime.MinValue;
    private int _lastPlainDone = -1;
    private int _lastPlainCancelled;
    private bool _headerShown;

    /// <param name="job">The job, when the verb knows it.</param>
    /// <param name="scope">What the run scores, e.g. its resolved window.</param>
    public ProgressPrinter(string? job, string scope)
    {
        _job = job;
        _scope = scope;
        if (Console.IsErrorRedirected)
            return;
        _stderr = Console.Error;
        _live = new LiveLine(_stderr);
        Console.SetError(_live);
    }

    public void Report(RunProgress value)
    {
        lock (_lock)
        {
            if (!_headerShown)
            {
                _headerShown = true;
                if (_live is not null)
                    _live.WriteLine($"Run {value.RunId}{(_job is null ? "" : $" of {_job}")}: {_scope}, {value.Partitions} partitions");
                else
                    Log.Information("Run {RunId}: {Scores}, {Partitions} partitions", value.RunId, _scope, value.Partitions);
            }
            var elapsed = DateTime.UtcNow - _started;
            var rate = elapsed.TotalSeconds > 0 ? value.RowsDone / elapsed.TotalSeconds : 0;
            var eta = Eta(value, elapsed);
            if (_live is not null)
            {
                _live.Show($"{Bar(value)} {value.PartitionsDone}/{value.Partitions} partitions ({value.PartitionsRunning} running, {value.PartitionsFailed} failed" +
                           $"{(value.PartitionsCancelled > 0 ? $", {value.PartitionsCancelled} cancelled" : "")}), " +
                           $"{value.RowsScored:N0} rows{Unchanged(value)}, {rate:N0} rows/s{(eta is { } e ? $", ETA {e:hh\\:mm\\:ss}" : "")}");
                return;
            }
            var step = Math.Max(1, value.Partitions / 10);
            if ((value.PartitionsDone == _lastPlainDone && value.PartitionsCancelled == _lastPlainCancelled) ||
                (DateTime.UtcNow - _lastPlain < PlainInterval && value.PartitionsDone - _lastPlainDone < step && value.PartitionsDone < value.Partitions))
                return;
            _lastPlain = DateTime.UtcNow;
            _lastPlainDone = value.PartitionsDone;
            _lastPlainCancelled = value.PartitionsCancelled;
            Log.Information("Run {RunId}: {Done}/{Partitions} partitions ({Running} running, {Failed} failed, {Cancelled} cancelled), {Rows:N0} rows{Unchanged}, {RowsPerSecond:N0} rows/s, ETA {Eta}",
                value.RunId, value.PartitionsDone, value.Partitions, value.PartitionsRunning, value.PartitionsFailed, value.PartitionsCancelled, value.RowsScored,
                Unchanged(value), rate, eta is { } t ? t.ToString(@"hh\:mm\:ss", System.Globalization.CultureInfo.InvariantCulture) : "unknown");
        }
    }

    public void Dispose()
    {
        _partitionLines.Dispose();
        if (_live is null || _stderr is null)
            return;
        _live.End();
        Console.SetError(_stderr);
    }

    /// <summary>By rows when the plan estimated them, else by partitions.</summary>
    /// <summary>The rows <c>output.skip_unchanged</c> did not score again, after the rows scored; nothing for other runs.</summary>
    private static string Unchanged(RunProgress value) => value.RowsUnchanged > 0 ? $" (+{value.RowsUnchanged:N0} unchanged)" : "";

    internal static TimeSpan? Eta(RunProgress value, TimeSpan elapsed)
    {
        var fraction = value.EstimatedRows > 0
            ? Math.Min(1, (double)value.RowsDone / value.EstimatedRows)
            : value.Partitions == 0 ? 1 : (double)value.PartitionsDone / value.Partitions;
        // An estimate is an estimate: once every partition is done or cancelled there is nothing left to wait for.
        var waiting = value.PartitionsDone + value.PartitionsCancelled < value.Partitions;
        return fraction > 0 && fraction < 1 && waiting ? TimeSpan.FromSeconds(elapsed.TotalSeconds * (1 - fraction) / fraction) : null;
    }

    private static string Bar(RunProgress value)
    {
        const int width = 24;
        var filled = value.Partitions == 0 ? width : (int)Math.Round((double)value.PartitionsDone / value.Partitions * width);
        return $"[{new string('#', filled)}{new string('-', width - filled)}]";
    }
}
