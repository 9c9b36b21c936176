using System.CommandLine;
using System.Globalization;
using BatchScoring.Core.Runs;

namespace BatchScoring.Worker.Cli;

/// <summary>Arguments and options several verbs share, parsed the same way everywhere.</summary>
internal static class CliArguments
{
    public static Argument<string> Job() => new("job") { Description = "The job's name: the file jobs/<job>.yaml." };

    public static Argument<long> RunId() => new("run-id") { Description = "The run's id (scoring.runs.run_id)." };

    public static Option<int?> Slots() => new("--slots") { Description = "Partitions this process scores at once (default: Worker:Slots, one per two cores)." };

    /// <summary>An instant: <c>2026-09-01</c>, <c>2026-09-01T06:00</c> or with an offset; without one it is UTC.</summary>
    public static DateTime ParseInstant(string text, string option)
        => DateTime.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var value)
            ? value
            : throw new Core.Errors.BatchScoringException($"{option}: '{text}' is not a date or time (e.g. 2026-09-01 or 2026-09-01T06:00Z).");

    /// <summary>A window written <c>START/END</c>.</summary>
    public static TimeWindow ParseWindow(string text)
    {
        var parts = text.Split('/');
        if (parts.Length != 2)
            throw new Core.Errors.BatchScoringException($"--window: '{text}' is not START/END (e.g. 2026-09-01/2026-09-02).");
        return Window(ParseInstant(parts[0], "--window"), ParseInstant(parts[1], "--window"), "--window");
    }

    public static TimeWindow Window(DateTime start, DateTime end, string option) => end > start
        ? new TimeWindow(start, end)
        : throw new Core.Errors.BatchScoringException($"{option}: the end ({end:O}) must be after the start ({start:O}).");
}
