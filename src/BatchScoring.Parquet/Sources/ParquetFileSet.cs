using System.Text.RegularExpressions;
using BatchScoring.Core.Errors;
using BatchScoring.Core.Paths;

namespace BatchScoring.Parquet.Sources;

/// <summary>One data file of a Parquet source: its path relative to the source root (with <c>/</c>) and the Hive-style <c>name=value</c> folders above it.</summary>
public sealed record ParquetDataFile(string RelativePath, IReadOnlyList<KeyValuePair<string, string>> HiveValues);

/// <summary>The files of a Parquet source under their root folder.</summary>
public sealed record ParquetFileSetContents(string Root, IReadOnlyList<ParquetDataFile> Files)
{
    public string FullPath(string relativePath) => System.IO.Path.GetFullPath(System.IO.Path.Combine(Root, relativePath));
}

/// <summary>
/// Resolves a source path to its data files: a file, a folder (every <c>*.parquet</c> below it), or a glob
/// (<c>*</c>, <c>?</c> and <c>**</c> for any number of folders). Names starting with <c>_</c> or <c>.</c>
/// (markers, temporary files) are skipped. Hive values are read from folders below the root.
/// </summary>
public static class ParquetFileSet
{
    private static readonly EnumerationOptions Listing = new() { RecurseSubdirectories = true, IgnoreInaccessible = true };

    /// <param name="path">The source's path, relative to <paramref name="paths"/>' base root unless absolute.</param>
    /// <param name="paths">The folders the source may read: the path and every file it finds must be inside them, links followed.</param>
    public static ParquetFileSetContents Resolve(string path, ContainedPaths paths)
    {
        var full = System.IO.Path.GetFullPath(path, paths.BaseRoot);
        var what = $"Parquet source '{path}'";
        if (File.Exists(full))
        {
            paths.Check(full, what);
            return new ParquetFileSetContents(System.IO.Path.GetDirectoryName(full)!, [new ParquetDataFile(System.IO.Path.GetFileName(full), [])]);
        }
        var (root, pattern) = RootAndPattern(full);
        paths.Check(root, what);
        if (!Directory.Exists(root))
            throw new BatchScoringException(pattern is null ? $"Parquet source {path}: no such file or folder." : $"Parquet source {path}: folder {root} does not exist.");

        ParquetDataFile[] files;
        try
        {
            files = Directory.EnumerateFiles(root, "*", Listing)
                .Select(f => (Full: f, Relative: System.IO.Path.GetRelativePath(root, f).Replace(System.IO.Path.DirectorySeparatorChar, '/')))
                .Where(f => !f.Relative.Split('/').Any(s => s.StartsWith('_') || s.StartsWith('.')))
                .Where(f => pattern is null ? f.Full.EndsWith(".parquet", StringComparison.OrdinalIgnoreCase) : pattern.IsMatch(f.Relative))
                .OrderBy(f => f.Relative, StringComparer.Ordinal)
                .Select(f =>
                {
                    paths.Check(f.Full, $"{what}: file {f.Relative}");
                    return new ParquetDataFile(f.Relative, HiveValues(f.Relative));
                })
                .ToArray();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new BatchScoringException($"Parquet source {path}: folder {root} cannot be listed: {e.Message}", e);
        }
        if (files.Length == 0)
            throw new BatchScoringException($"Parquet source {path}: no Parquet files found.");
        return new ParquetFileSetContents(root, files);
    }

    /// <summary>The folder partition files are relative to (for a full path), found without listing any folder.</summary>
    public static string Root(string fullPath)
        => File.Exists(fullPath) ? System.IO.Path.GetDirectoryName(fullPath)! : RootAndPattern(fullPath).Root;

    /// <summary>A glob's folder before its first wildcard and the pattern of the rest; a folder with no pattern.</summary>
    private static (string Root, Regex? Pattern) RootAndPattern(string path)
    {
        var full = System.IO.Path.GetFullPath(path);
        if (path.IndexOfAny(['*', '?']) < 0)
            return (full, null);
        var segments = full.Split(System.IO.Path.DirectorySeparatorChar);
        var firstWild = Array.FindIndex(segments, s => s.IndexOfAny(['*', '?']) >= 0);
        var root = string.Join(System.IO.Path.DirectorySeparatorChar, segments[..firstWild]);
        return (root.Length == 0 ? System.IO.Path.DirectorySeparatorChar.ToString() : root, GlobRegex(string.Join('/', segments[firstWild..])));
    }

    /// <summary>The <c>name=value</c> folders of a path relative to the source root (the file name itself is not one).</summary>
    public static IReadOnlyList<KeyValuePair<string, string>> HiveValues(string relativePath)
    {
        var folders = relativePath.Split('/')[..^1];
        return folders
            .Select(f => f.Split('=', 2))
            .Where(p => p.Length == 2 && p[0].Length > 0)
            .Select(p => KeyValuePair.Create(p[0], Uri.UnescapeDataString(p[1])))
            .ToArray();
    }

    private static Regex GlobRegex(string glob)
    {
        var regex = new System.Text.StringBuilder("^");
        for (var i = 0; i < glob.Length; i++)
        {
            var c = glob[i];
            if (c == '*' && i + 1 < glob.Length && glob[i + 1] == '*')
            {
                var slash = i + 2 < glob.Length && glob[i + 2] == '/';
                regex.Append(slash ? "(?:.*/)?" : ".*");
                i += slash ? 2 : 1;
            }
            else if (c == '*')
                regex.Append("[^/]*");
            else if (c == '?')
                regex.Append("[^/]");
            else
                regex.Append(Regex.Escape(c.ToString()));
        }
        return new Regex(regex.Append('$').ToString(), RegexOptions.CultureInvariant);
    }
}
