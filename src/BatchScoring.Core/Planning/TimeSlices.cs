using BatchScoring.Core.Runs;

namespace BatchScoring.Core.Planning;

/// <summary>Splits a window into consecutive slices of a grain (the last one may be shorter).</summary>
public static class TimeSlices
{
    public static IEnumerable<TimeWindow> Split(TimeWindow window, TimeSpan grain)
    {
        if (grain <= TimeSpan.Zero)
            throw new ArgumentOutOfRangeException(nameof(grain), grain, "The grain must be positive.");
        for (var start = window.StartUtc; start < window.EndUtc; start += grain)
            yield return new TimeWindow(start, start + grain < window.EndUtc ? start + grain : window.EndUtc);
    }
}
