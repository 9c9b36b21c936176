using System.Globalization;
using System.Text.RegularExpressions;

namespace BatchScoring.Parquet.Sinks;

/// <summary>
/// The hidden temporary files partition files are written under (<c>.part-&lt;id&gt;.parquet.&lt;guid&gt;.tmp</c>),
/// and their removal once the attempt that wrote them can no longer finish (its process was killed).
/// </summary>
public static partial class ParquetTemporaryFiles
{
    public static string NewPath(string finalPath)
        => Path.Combine(Path.GetDirectoryName(finalPath)!, $".{Path.GetFileName(finalPath)}.{Guid.NewGuid():N}.tmp");

    /// <summary>Removes the temporary files earlier attempts of the partition left next to <paramref name="finalPath"/>.</summary>
    public static int RemoveEarlierAttempts(string finalPath)
    {
        var folder = Path.GetDirectoryName(finalPath)!;
        if (!Directory.Exists(folder))
            return 0;
        var removed = 0;
        foreach (var file in Directory.EnumerateFiles(folder, $".{Path.GetFileName(finalPath)}.*.tmp"))
            removed += Delete(file);
        return removed;
    }

    /// <summary>
    /// Removes, anywhere under <paramref name="folder"/>, the temporary files last written before <paramref name="writtenBeforeUtc"/>
    /// of every partition that <paramref name="isRunning"/> says is not running (a later file may be an attempt claimed since).
    /// </summary>
    public static IReadOnlyList<string> Sweep(string folder, Func<long, bool> isRunning, DateTime writtenBeforeUtc)
    {
        if (!Directory.Exists(folder))
            return [];
        var removed = new List<string>();
        foreach (var file in Directory.EnumerateFiles(folder, ".part-*.tmp", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0 }))
        {
            var match = PartitionTemporaryName().Match(Path.GetFileName(file));
            if (match.Success && !isRunning(long.Parse(match.Groups[1].ValueSpan, CultureInfo.InvariantCulture))
                && File.GetLastWriteTimeUtc(file) < writtenBeforeUtc && Delete(file) == 1)
                removed.Add(file);
        }
        return removed;
    }

    private static int Delete(string file)
    {
        try
        {
            File.Delete(file);
            return 1;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Another process may remove the same file at once, or it may not be ours to remove: it stays.
            return 0;
        }
    }

    [GeneratedRegex(@"^\.part-(\d+)\.parquet\.[0-9a-f]{32}\.tmp$")]
    private static partial Regex PartitionTemporaryName();
}
