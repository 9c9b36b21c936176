using System.Globalization;
using System.Text.RegularExpressions;
using BatchScoring.Core.Errors;
using BatchScoring.Core.Jobs;
using BatchScoring.Core.Runs;

namespace BatchScoring.Worker.Cli;

/// <summary>
/// Times on the command line in a job's terms: a bare date or time (<c>2026-09-01</c>, <c>2026-09-01T06:00</c>) is
/// wall-clock time in the job's time zone (its schedule's, else UTC), converted with that zone's DST rules; a time
/// with an offset (<c>Z</c>, <c>+02:00</c>) is that instant. Ranges are shown in the job's zone and in UTC.
/// </summary>
internal sealed partial class JobTime(TimeZoneInfo zone)
{
    private static readonly string[] LocalFormats = ["yyyy-MM-dd", "yyyy-MM-ddTHH:mm", "yyyy-MM-ddTHH:mm:ss", "yyyy-MM-ddTHH:mm:ss.FFFFFFF"];

    public TimeZoneInfo Zone { get; } = zone;

    public static JobTime Of(JobSpec job) => new(JobTimeZones.Find(job.Schedule?.TimeZone ?? "UTC"));

    public DateTime ParseInstant(string text, string option)
    {
        if (WithOffset().IsMatch(text))
        {
            return DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.None, out var instant)
                ? instant.UtcDateTime
                : throw NotATime(text, option);
        }
        if (!DateTime.TryParseExact(text, LocalFormats, CultureInfo.InvariantCulture, DateTimeStyles.None, out var local))
            throw NotATime(text, option);
        if (Zone.IsInvalidTime(local))
            throw new BatchScoringException(
                $"{option}: {text} does not exist in {Zone.Id} (the clocks skip it at the DST change); give the instant with an offset (e.g. {text}Z).");
        // A wall-clock time that occurs twice (clocks going back) is its first occurrence.
        var offset = Zone.IsAmbiguousTime(local) ? Zone.GetAmbiguousTimeOffsets(local).Max() : Zone.GetUtcOffset(local);
        return DateTime.SpecifyKind(local - offset, DateTimeKind.Utc);
    }

    /// <summary>A window written <c>START/END</c>.</summary>
    public TimeWindow ParseWindow(string text)
    {
        var parts = text.Split('/');
        if (parts.Length != 2)
            throw new BatchScoringException($"--window: '{text}' is not START/END (e.g. 2026-09-01/2026-09-02).");
        return Window(ParseInstant(parts[0], "--window"), ParseInstant(parts[1], "--window"), "--window");
    }

    public TimeWindow Window(DateTime start, DateTime end, string option) => end > start
        ? new TimeWindow(start, end)
        : throw new BatchScoringException($"{option}: the end ({Local(end)}) must be after the start ({Local(start)}).");

    /// <summary><c>[2026-09-01T00:00+02:00, 2026-10-13T00:00+02:00) Europe/Berlin = [2026-08-31T22:00Z, 2026-10-12T22:00Z) UTC</c>.</summary>
    public string Describe(TimeWindow window) => Zone == TimeZoneInfo.Utc
        ? $"[{Utc(window.StartUtc)}, {Utc(window.EndUtc)}) UTC"
        : $"[{Local(window.StartUtc)}, {Local(window.EndUtc)}) {Zone.Id} = [{Utc(window.StartUtc)}, {Utc(window.EndUtc)}) UTC";

    public string Local(DateTime utc)
    {
        var local = TimeZoneInfo.ConvertTimeFromUtc(utc, Zone);
        return local.ToString("yyyy-MM-dd'T'HH:mm", CultureInfo.InvariantCulture) + Offset(Zone.GetUtcOffset(utc));
    }

    private static string Utc(DateTime utc) => utc.ToString("yyyy-MM-dd'T'HH:mm'Z'", CultureInfo.InvariantCulture);

    private static string Offset(TimeSpan offset)
        => (offset < TimeSpan.Zero ? "-" : "+") + offset.Duration().ToString(@"hh\:mm", CultureInfo.InvariantCulture);

    private static BatchScoringException NotATime(string text, string option)
        => new($"{option}: '{text}' is not a date or time (e.g. 2026-09-01, 2026-09-01T06:00 in the job's time zone, or 2026-09-01T06:00Z).");

    [GeneratedRegex(@"T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}(:?\d{2})?)$", RegexOptions.IgnoreCase)]
    private static partial Regex WithOffset();
}
