using System.Security.Cryptography;

namespace BatchScoring.Core.Jobs;

/// <summary>
/// Reads the job files of a folder (sorted by file name; a job name used by an earlier file is an error of
/// the later one) and remembers each file's last valid version, so that an invalid edit keeps the job as it
/// was. Each <see cref="Scan"/> re-reads only files whose content changed and reports what is in force.
/// </summary>
public sealed class JobFolderScan(string directory)
{
    private readonly Dictionary<string, FileState> files = new(StringComparer.Ordinal);
    private HashSet<string> previousErrors = [];

    /// <param name="ContentHash">Null when the file could not be read, so that the next scan tries again.</param>
    /// <param name="Latest">The latest read of the file.</param>
    /// <param name="LastValid">The read that gave the job in force, or null when the file was never valid.</param>
    /// <param name="Version">Hash of the content <paramref name="LastValid"/> was read from.</param>
    private sealed record FileState(string? ContentHash, JobFileResult Latest, JobFileResult? LastValid, string? Version);

    /// <summary>A job in force and the version (content hash) of the file it came from.</summary>
    public sealed record ActiveJob(JobSpec Job, string Version);

    /// <param name="Jobs">The jobs in force, one per name.</param>
    /// <param name="Files">The latest read of every file, a duplicate name counted among its errors.</param>
    /// <param name="Errors">Every current problem: invalid files (whose last valid version stays in force) and duplicate names.</param>
    /// <param name="ChangedErrors">The problems that are new since the previous scan, to be logged once.</param>
    public sealed record Result(
        IReadOnlyList<ActiveJob> Jobs, JobDirectoryResult Files, IReadOnlyList<JobFileError> Errors, IReadOnlyList<JobFileError> ChangedErrors);

    /// <summary>The job files of <paramref name="folder"/>, sorted by name; none when the folder does not exist.</summary>
    public static IReadOnlyList<string> JobFiles(string folder) => Directory.Exists(folder)
        ? Directory.EnumerateFiles(folder)
            .Where(f => JobSpecLoader.Extensions.Contains(Path.GetExtension(f), StringComparer.OrdinalIgnoreCase))
            .Order(StringComparer.Ordinal)
            .ToList()
        : [];

    public Result Scan()
    {
        var present = JobFiles(directory);
        foreach (var removed in files.Keys.Except(present).ToList())
            files.Remove(removed);
        foreach (var path in present)
            files[path] = Read(path, files.GetValueOrDefault(path));

        var active = new List<ActiveJob>();
        var reads = new List<JobFileResult>();
        var errors = new List<JobFileError>();
        var owners = new Dictionary<string, string>();
        foreach (var (path, state) in files.OrderBy(f => f.Key, StringComparer.Ordinal))
        {
            var latest = state.Latest;
            errors.AddRange(latest.Errors);
            if (state.LastValid is { Job: { } job } lastValid)
            {
                if (owners.TryGetValue(job.Name, out var owner))
                {
                    var duplicate = lastValid.DuplicateNameError(owner);
                    errors.Add(duplicate);
                    latest = latest with { Job = null, Errors = [.. latest.Errors, duplicate] };
                }
                else
                {
                    owners[job.Name] = path;
                    active.Add(new ActiveJob(job, state.Version!));
                }
            }
            reads.Add(latest);
        }

        var changed = errors.Where(e => !previousErrors.Contains(e.ToString())).ToList();
        previousErrors = errors.Select(e => e.ToString()).ToHashSet();
        return new Result(active, new JobDirectoryResult(reads), errors, changed);
    }

    private static FileState Read(string path, FileState? known)
    {
        byte[] content;
        try
        {
            content = JobFileText.ReadBounded(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Often a file being written right now: reported, and read again by the next scan.
            var failed = new JobFileResult(path, null, null, [new JobFileError(path, 0, 0, $"cannot read the file: {e.Message}")]);
            return new FileState(null, failed, known?.LastValid, known?.Version);
        }
        var hash = Convert.ToHexStringLower(SHA256.HashData(content));
        if (known is not null && known.ContentHash == hash)
            return known;
        var result = JobSpecLoader.Read(content, path);
        return result.IsValid ? new FileState(hash, result, result, hash) : new FileState(hash, result, known?.LastValid, known?.Version);
    }
}
