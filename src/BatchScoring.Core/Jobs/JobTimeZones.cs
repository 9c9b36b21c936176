namespace BatchScoring.Core.Jobs;

/// <summary>Time zone look-up by IANA name (<c>Europe/Berlin</c>, <c>UTC</c>), as job files name them.</summary>
public static class JobTimeZones
{
    public static bool TryFind(string id, out TimeZoneInfo zone)
    {
        zone = TimeZoneInfo.Utc;
        return id.Length > 0 && TimeZoneInfo.TryFindSystemTimeZoneById(id, out zone!);
    }

    public static TimeZoneInfo Find(string id)
        => TryFind(id, out var zone) ? zone : throw new ArgumentException($"Unknown time zone '{id}'.", nameof(id));
}
