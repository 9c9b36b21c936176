using BatchScoring.Core.Runs;

namespace BatchScoring.Core.Jobs;

/// <summary>
/// Which source time a run scores. A fire at T scores <c>[T − lag − size, T − lag)</c> with both ends
/// aligned down to the partitioning grain in the job's time zone, so "1d" with grain "1d" in
/// Europe/Berlin is one local calendar day (23 or 25 hours across a DST change). Whole-day sizes and
/// grains count in local calendar days; shorter ones in local wall-clock time from local midnight.
/// </summary>
public static class JobWindows
{
    /// <summary>The window a fire at <paramref name="fireTimeUtc"/> scores, or null when the job has no window (the whole source).</summary>
    public static TimeWindow? ForFire(JobSpec job, DateTime fireTimeUtc)
    {
        if (job.Window.Size is not { } size)
            return null;
        var zone = ZoneOf(job);
        var end = AlignDown(ToUtc(fireTimeUtc) - job.Window.Lag, job.Partitioning.Grain, zone);
        var start = AlignDown(SubtractLocal(end, size, zone), job.Partitioning.Grain, zone);
        return new TimeWindow(start, end);
    }

    /// <summary>
    /// The windows of a backfill over <c>[from, to)</c>: consecutive windows of the job's window size (or
    /// its grain, when it has no window), the first starting at <paramref name="fromUtc"/> aligned down,
    /// the last the one that contains the instant just before <paramref name="toUtc"/>.
    /// </summary>
    public static IReadOnlyList<TimeWindow> ForRange(JobSpec job, DateTime fromUtc, DateTime toUtc)
    {
        fromUtc = ToUtc(fromUtc);
        toUtc = ToUtc(toUtc);
        if (toUtc <= fromUtc)
            throw new ArgumentException($"The backfill range must end after it starts ({fromUtc:O} .. {toUtc:O}).");
        var step = job.Window.Size ?? job.Partitioning.Grain
            ?? throw new ArgumentException($"Job '{job.Name}' has neither a window size nor a time grain, so a range cannot be split into windows.");
        var zone = ZoneOf(job);
        var windows = new List<TimeWindow>();
        var start = AlignDown(fromUtc, job.Partitioning.Grain, zone);
        while (start < toUtc)
        {
            var end = AlignDown(AddLocal(start, step, zone), job.Partitioning.Grain, zone);
            if (end <= start)
                end = AddLocal(start, step, zone);
            windows.Add(new TimeWindow(start, end));
            start = end;
        }
        return windows;
    }

    /// <summary>The latest grain boundary at or before <paramref name="instantUtc"/>, in <paramref name="zone"/>'s wall-clock time.</summary>
    public static DateTime AlignDown(DateTime instantUtc, TimeSpan? grain, TimeZoneInfo zone)
    {
        if (grain is not { } g)
            return instantUtc;
        var local = TimeZoneInfo.ConvertTimeFromUtc(instantUtc, zone);
        DateTime alignedLocal;
        if (g.Ticks % TimeSpan.TicksPerDay == 0)
        {
            var days = local.Date.Ticks / TimeSpan.TicksPerDay;
            var grainDays = g.Ticks / TimeSpan.TicksPerDay;
            alignedLocal = new DateTime((days - days % grainDays) * TimeSpan.TicksPerDay);
        }
        else
        {
            var sinceMidnight = local.TimeOfDay.Ticks;
            alignedLocal = local.Date.AddTicks(sinceMidnight - sinceMidnight % g.Ticks);
        }
        var aligned = LocalToUtc(alignedLocal, zone, notAfter: instantUtc);
        // In a fall-back hour the boundary's wall-clock time can map past the instant; step one grain back.
        return aligned <= instantUtc ? aligned : AlignDown(instantUtc - g, grain, zone);
    }

    private static DateTime AddLocal(DateTime utc, TimeSpan span, TimeZoneInfo zone) => ShiftLocal(utc, span, zone);

    private static DateTime SubtractLocal(DateTime utc, TimeSpan span, TimeZoneInfo zone) => ShiftLocal(utc, -span, zone);

    /// <summary>Whole days move by calendar days in local time; anything shorter moves in absolute time.</summary>
    private static DateTime ShiftLocal(DateTime utc, TimeSpan span, TimeZoneInfo zone)
    {
        if (span.Ticks % TimeSpan.TicksPerDay != 0)
            return utc + span;
        var local = TimeZoneInfo.ConvertTimeFromUtc(utc, zone);
        return LocalToUtc(local.AddDays(span.Ticks / TimeSpan.TicksPerDay), zone, notAfter: null);
    }

    /// <summary>
    /// A wall-clock time to UTC. A time skipped by a spring-forward maps to the end of the gap; a time that
    /// occurs twice maps to its later occurrence not after <paramref name="notAfter"/> (or the first one).
    /// </summary>
    private static DateTime LocalToUtc(DateTime local, TimeZoneInfo zone, DateTime? notAfter)
    {
        local = DateTime.SpecifyKind(local, DateTimeKind.Unspecified);
        if (zone.IsInvalidTime(local))
        {
            var probe = local;
            while (zone.IsInvalidTime(probe))
                probe = probe.AddMinutes(1);
            local = new DateTime(probe.Ticks - probe.Ticks % TimeSpan.TicksPerMinute);
        }
        if (zone.IsAmbiguousTime(local))
        {
            var candidates = zone.GetAmbiguousTimeOffsets(local)
                .Select(offset => DateTime.SpecifyKind(local - offset, DateTimeKind.Utc))
                .Order()
                .ToList();
            return notAfter is { } limit ? candidates.LastOrDefault(c => c <= limit, candidates[0]) : candidates[0];
        }
        return TimeZoneInfo.ConvertTimeToUtc(local, zone);
    }

    private static TimeZoneInfo ZoneOf(JobSpec job) => JobTimeZones.Find(job.Schedule?.TimeZone ?? "UTC");

    private static DateTime ToUtc(DateTime value) => value.Kind switch
    {
        DateTimeKind.Utc => value,
        DateTimeKind.Local => value.ToUniversalTime(),
        _ => DateTime.SpecifyKind(value, DateTimeKind.Utc),
    };
}
