using BatchScoring.Core.Jobs;
using BatchScoring.Core.Runs;

namespace BatchScoring.Core.Tests.Jobs;

/// <summary>Window arithmetic, including the days whose length a daylight-saving change alters.</summary>
public class JobWindowsTests
{
    private static JobSpec Job(string zone, string size, string lag, string grain) => JobSpecLoader.Parse($"""
        name: windows
        schedule: {"{"} cron: "0 0 2 * * ?", timezone: {zone} {"}"}
        source: {"{"} table: public.events, key_columns: [id], timestamp_column: at {"}"}
        window: {"{"} size: {size}, lag: {lag} {"}"}
        partitioning: {"{"} grain: {grain} {"}"}
        model: m@champion
        output: {"{"} table: scored.events {"}"}
        """, "jobs/windows.yaml");

    private static DateTime Utc(int year, int month, int day, int hour = 0, int minute = 0)
        => new(year, month, day, hour, minute, 0, DateTimeKind.Utc);

    [Fact]
    public void A_nightly_fire_scores_the_previous_local_day_in_winter_and_summer()
    {
        var job = Job("Europe/Berlin", "1d", "0", "1d");
        // 02:00 Berlin in January is 01:00 UTC: the previous day is 23:00 UTC .. 23:00 UTC.
        Assert.Equal(new TimeWindow(Utc(2024, 1, 14, 23), Utc(2024, 1, 15, 23)), JobWindows.ForFire(job, Utc(2024, 1, 16, 1)));
        // In July (UTC+2) the local day runs 22:00 UTC .. 22:00 UTC.
        Assert.Equal(new TimeWindow(Utc(2024, 7, 14, 22), Utc(2024, 7, 15, 22)), JobWindows.ForFire(job, Utc(2024, 7, 16, 0)));
    }

    [Fact]
    public void The_spring_forward_day_is_23_hours_and_the_fall_back_day_25()
    {
        var job = Job("Europe/Berlin", "1d", "0", "1d");
        // Berlin moved from UTC+1 to UTC+2 at 2024-03-31 02:00 local.
        var spring = JobWindows.ForFire(job, Utc(2024, 4, 1, 0))!;
        Assert.Equal(new TimeWindow(Utc(2024, 3, 30, 23), Utc(2024, 3, 31, 22)), spring);
        Assert.Equal(TimeSpan.FromHours(23), spring.EndUtc - spring.StartUtc);
        // And back at 2024-10-27 03:00 local.
        var fall = JobWindows.ForFire(job, Utc(2024, 10, 28, 1))!;
        Assert.Equal(new TimeWindow(Utc(2024, 10, 26, 22), Utc(2024, 10, 27, 23)), fall);
        Assert.Equal(TimeSpan.FromHours(25), fall.EndUtc - fall.StartUtc);
    }

    [Fact]
    public void Lag_moves_the_window_back_before_aligning()
    {
        // New York, 6-hour window with a 1-hour lag on an hourly grain; DST began 2024-03-10 02:00 local (07:00 UTC).
        var job = Job("America/New_York", "6h", "1h", "1h");
        // Fire at 09:20 UTC = 05:20 EDT: end = 04:20 EDT aligned to 04:00 EDT = 08:00 UTC; start 6 h earlier in absolute time.
        Assert.Equal(new TimeWindow(Utc(2024, 3, 10, 2), Utc(2024, 3, 10, 8)), JobWindows.ForFire(job, Utc(2024, 3, 10, 9, 20)));
    }

    [Fact]
    public void A_sub_day_grain_aligns_in_local_time_through_the_repeated_hour()
    {
        var job = Job("America/New_York", "1h", "0", "1h");
        // 2024-11-03: 01:00–02:00 EDT (05:00–06:00 UTC) and then 01:00–02:00 EST (06:00–07:00 UTC) again.
        Assert.Equal(new TimeWindow(Utc(2024, 11, 3, 4), Utc(2024, 11, 3, 5)), JobWindows.ForFire(job, Utc(2024, 11, 3, 5, 30)));
        Assert.Equal(new TimeWindow(Utc(2024, 11, 3, 5), Utc(2024, 11, 3, 6)), JobWindows.ForFire(job, Utc(2024, 11, 3, 6, 30)));
        Assert.Equal(new TimeWindow(Utc(2024, 11, 3, 6), Utc(2024, 11, 3, 7)), JobWindows.ForFire(job, Utc(2024, 11, 3, 7, 30)));
    }

    [Fact]
    public void A_backfill_range_is_split_into_local_days_across_both_changes()
    {
        var job = Job("Europe/Berlin", "1d", "0", "1d");
        var spring = JobWindows.ForRange(job, Utc(2024, 3, 29, 23), Utc(2024, 4, 1, 22));
        Assert.Equal(
            [
                new TimeWindow(Utc(2024, 3, 29, 23), Utc(2024, 3, 30, 23)),
                new TimeWindow(Utc(2024, 3, 30, 23), Utc(2024, 3, 31, 22)),
                new TimeWindow(Utc(2024, 3, 31, 22), Utc(2024, 4, 1, 22)),
            ],
            spring);

        var fall = JobWindows.ForRange(job, Utc(2024, 10, 26, 12), Utc(2024, 10, 28, 0));
        Assert.Equal(
            [
                new TimeWindow(Utc(2024, 10, 25, 22), Utc(2024, 10, 26, 22)),
                new TimeWindow(Utc(2024, 10, 26, 22), Utc(2024, 10, 27, 23)),
                new TimeWindow(Utc(2024, 10, 27, 23), Utc(2024, 10, 28, 23)),
            ],
            fall);
    }

    [Fact]
    public void A_fire_and_a_backfill_agree_on_the_same_day()
    {
        var job = Job("America/New_York", "1d", "3h", "1d");
        var fire = Utc(2024, 3, 11, 7);
        var fromFire = JobWindows.ForFire(job, fire)!;
        Assert.Equal([fromFire], JobWindows.ForRange(job, fromFire.StartUtc, fromFire.EndUtc));
        Assert.Equal(TimeSpan.FromHours(23), fromFire.EndUtc - fromFire.StartUtc);
    }

    [Fact]
    public void A_job_without_a_window_scores_the_whole_source()
    {
        var job = JobSpecLoader.Parse("""
            name: all
            source: { table: public.events, key_columns: [id] }
            model: m@champion
            output: { table: scored.events }
            """, "jobs/all.yaml");
        Assert.Null(JobWindows.ForFire(job, Utc(2024, 1, 1)));
    }
}
