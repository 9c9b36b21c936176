using BatchScoring.Core.Errors;

namespace BatchScoring.Core.Paths;

/// <summary>
/// Paths from job files (and the ledger) that must stay inside folders the operator chose: a path is
/// relative to the first root, and it is accepted only when its real location — symbolic links followed —
/// is inside one of the roots.
/// </summary>
/// <param name="setting">The setting that names the roots, for messages (e.g. <c>Models:Directory</c>).</param>
public sealed class ContainedPaths(string setting, IReadOnlyList<string> roots)
{
    private const int MaxLinks = 40;
    private readonly string[] fullRoots = roots.Count > 0
        ? roots.Select(r => Path.TrimEndingDirectorySeparator(Path.GetFullPath(r))).ToArray()
        : throw new ArgumentException("At least one root is needed.", nameof(roots));

    public ContainedPaths(string setting, string root) : this(setting, [root])
    {
    }

    /// <summary>The folder relative paths are taken from.</summary>
    public string BaseRoot => fullRoots[0];

    /// <summary>The full path of <paramref name="path"/> (relative to <see cref="BaseRoot"/>), checked to be inside a root.</summary>
    /// <param name="what">What the path is, for messages, e.g. <c>model.path 'x.zip'</c>.</param>
    public string Resolve(string path, string what)
    {
        var full = Path.GetFullPath(path, BaseRoot);
        Check(full, what);
        return full;
    }

    /// <summary>Throws unless the real location of <paramref name="fullPath"/> is inside a root.</summary>
    public void Check(string fullPath, string what)
    {
        if (!Inside(fullPath))
            throw new BatchScoringException($"{what} is {fullPath}, outside {Describe()}.");
        var real = RealPath(fullPath, 0, what);
        if (!fullRoots.Select(r => RealPath(r, 0, setting)).Any(r => IsUnder(real, r)))
            throw new BatchScoringException($"{what} is {fullPath}, a symbolic link to {real}, outside {Describe()}.");
    }

    /// <summary>Whether <paramref name="fullPath"/> is inside a root as written (links not followed).</summary>
    public bool Inside(string fullPath) => fullRoots.Any(r => IsUnder(Path.GetFullPath(fullPath), r));

    private string Describe() => fullRoots.Length == 1 ? $"{setting} ({fullRoots[0]})" : $"{setting} ({string.Join(", ", fullRoots)})";

    private static bool IsUnder(string path, string root)
    {
        path = Path.TrimEndingDirectorySeparator(path);
        if (root == Path.GetPathRoot(root))
            return path.StartsWith(root, StringComparison.Ordinal);
        return path == root || path.StartsWith(root + Path.DirectorySeparatorChar, StringComparison.Ordinal);
    }

    /// <summary>The path with every symbolic link along it replaced by its target.</summary>
    private static string RealPath(string fullPath, int links, string what)
    {
        var root = Path.GetPathRoot(fullPath)!;
        var current = root;
        foreach (var segment in fullPath[root.Length..].Split(Path.DirectorySeparatorChar, StringSplitOptions.RemoveEmptyEntries))
        {
            current = Path.Combine(current, segment);
            if (new FileInfo(current).LinkTarget is not { } target)
                continue;
            if (++links > MaxLinks)
                throw new BatchScoringException($"{what}: too many levels of symbolic links at {current}.");
            current = RealPath(Path.GetFullPath(target, Path.GetDirectoryName(current)!), links, what);
        }
        return current;
    }
}
