using BatchScoring.Core.Errors;
using BatchScoring.Worker.Cli;

namespace BatchScoring.IntegrationTests.Operations;

/// <summary>
/// Dates on the command line are the job's local dates (here Europe/Berlin, across its DST changes of 2026:
/// 29 March and 25 October); a time with an offset is taken as given.
/// </summary>
public class JobTimeTests
{
    private static readonly JobTime Berlin = new(TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin"));

    [Theory]
    [InlineData("2026-09-01", "2026-08-31T22:00:00Z")]
    [InlineData("2026-10-25", "2026-10-24T22:00:00Z")]
    [InlineData("2026-10-26", "2026-10-25T23:00:00Z")]
    [InlineData("2026-03-29", "2026-03-28T23:00:00Z")]
    [InlineData("2026-03-30", "2026-03-29T22:00:00Z")]
    [InlineData("2026-03-29T03:00", "2026-03-29T01:00:00Z")]
    [InlineData("2026-10-25T02:30", "2026-10-25T00:30:00Z")]
    [InlineData("2026-09-01T00:00Z", "2026-09-01T00:00:00Z")]
    [InlineData("2026-09-01T06:00+05:30", "2026-09-01T00:30:00Z")]
    public void A_bare_date_or_time_is_local_in_the_jobs_zone_and_an_offset_is_taken_as_given(string text, string expectedUtc)
    {
        var utc = Berlin.ParseInstant(text, "--from");

        Assert.Equal(DateTimeKind.Utc, utc.Kind);
        Assert.Equal(DateTime.Parse(expectedUtc, null, System.Globalization.DateTimeStyles.AdjustToUniversal), utc);
    }

    [Fact]
    public void A_local_day_across_the_autumn_change_is_25_hours_and_the_range_is_shown_in_both_zones()
    {
        var window = Berlin.Window(Berlin.ParseInstant("2026-10-25", "--from"), Berlin.ParseInstant("2026-10-26", "--to"), "--to");

        Assert.Equal(TimeSpan.FromHours(25), window.EndUtc - window.StartUtc);
        Assert.Equal("[2026-10-25T00:00+02:00, 2026-10-26T00:00+01:00) Europe/Berlin = [2026-10-24T22:00Z, 2026-10-25T23:00Z) UTC", Berlin.Describe(window));
    }

    [Fact]
    public void A_time_the_spring_change_skips_is_refused_in_one_line()
    {
        var error = Assert.Throws<BatchScoringException>(() => Berlin.ParseInstant("2026-03-29T02:30", "--from"));

        Assert.Contains("does not exist in Europe/Berlin", error.Message);
    }

    [Theory]
    [InlineData("2026-13-01")]
    [InlineData("yesterday")]
    [InlineData("2026-09-01T25:00")]
    public void Text_that_is_not_a_time_names_the_option(string text)
    {
        var error = Assert.Throws<BatchScoringException>(() => Berlin.ParseInstant(text, "--to"));

        Assert.StartsWith($"--to: '{text}' is not a date or time", error.Message);
    }
}
