using System.Globalization;
using BatchScoring.Core.Scoring;

namespace BatchScoring.Parquet.Sinks;

/// <summary>
/// Where a run's Parquet output goes: <c>&lt;folder&gt;/window_start=2026-09-01/part-&lt;partition_id&gt;.parquet</c>
/// (the window start as a date, or <c>2026-09-01T06-00-00Z</c> when it is not midnight), straight under the
/// folder when the partition has no window; every file ends with the <see cref="LineageColumns"/>, as the PostgreSQL output does.
/// </summary>
public static class ParquetOutputLayout
{
    public const string SuccessMarker = "_SUCCESS";

    public static string WindowFolder(string folder, PartitionBounds bounds)
    {
        if (bounds.WindowStart is not { } start)
            return Path.GetFullPath(folder);
        var value = start.TimeOfDay == TimeSpan.Zero
            ? start.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)
            : start.ToString("yyyy-MM-dd'T'HH-mm-ss'Z'", CultureInfo.InvariantCulture);
        return Path.GetFullPath(Path.Combine(folder, "window_start=" + value));
    }

    public static string PartitionFile(string folder, long partitionId, PartitionBounds bounds)
        => Path.Combine(WindowFolder(folder, bounds), $"part-{partitionId.ToString(CultureInfo.InvariantCulture)}.parquet");
}
