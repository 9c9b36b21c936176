using System.Security.Cryptography;
using BatchScoring.Core.Jobs;

namespace BatchScoring.Worker.Scheduling;

/// <summary>
/// Remembers each job file's last valid version, so that an invalid edit keeps the job as it was.
/// Each <see cref="Scan"/> re-reads only files whose content changed and reports what is in force.
/// </summary>
internal sealed class JobFolderScan(string directory)
{
    private readonly Dictionary<string, FileState> files = new(StringComparer.Ordinal);

    /// <param name="Job">The last valid version, or null when the file was never valid.</param>
    /// <param name="Version">Hash of the content <paramref name="Job"/> was read from.</param>
    /// <param name="LastValid">The read that gave <paramref name="Job"/>, for the location of its name.</param>
    private sealed record FileState(string ContentHash, JobSpec? Job, string? Version, JobFileResult? LastValid, IReadOnlyList<JobFileError> Errors);

    /// <summary>A job in force and the version (content hash) of the file it came from.</summary>
    public sealed record ActiveJob(JobSpec Job, string Version);

    /// <param name="Jobs">The jobs in force, one per name.</param>
    /// <param name="Errors">Every current problem: invalid files (whose last valid version stays in force) and duplicate names.</param>
    /// <param name="ChangedErrors">The problems that are new since the previous scan, to be logged once.</param>
    public sealed record Result(IReadOnlyList<ActiveJob> Jobs, IReadOnlyList<JobFileError> Errors, IReadOnlyList<JobFileError> ChangedErrors);

    private HashSet<string> previousErrors = [];

    public Result Scan()
    {
        var present = Directory.Exists(directory)
            ? Directory.EnumerateFiles(directory)
                .Where(f => JobSpecLoader.Extensions.Contains(Path.GetExtension(f), StringComparer.OrdinalIgnoreCase))
                .Order(StringComparer.Ordinal)
                .ToList()
            : [];
        foreach (var removed in files.Keys.Except(present).ToList())
            files.Remove(removed);

        foreach (var path in present)
        {
            byte[] content;
            try
            {
                content = JobFileText.ReadBounded(path);
            }
            catch (IOException)
            {
                continue; // being written right now: the next scan reads it
            }
            var hash = Convert.ToHexStringLower(SHA256.HashData(content));
            if (files.TryGetValue(path, out var known) && known.ContentHash == hash)
                continue;
            var result = JobSpecLoader.Read(content, path);
            files[path] = result.Job is { } job
                ? new FileState(hash, job, hash, result, [])
                : new FileState(hash, known?.Job, known?.Version, known?.LastValid, result.Errors);
        }

        var active = new List<ActiveJob>();
        var errors = new List<JobFileError>();
        var owners = new Dictionary<string, string>();
        foreach (var (path, state) in files.OrderBy(f => f.Key, StringComparer.Ordinal))
        {
            errors.AddRange(state.Errors);
            if (state.Job is not { } job)
                continue;
            if (owners.TryGetValue(job.Name, out var owner))
            {
                errors.Add(state.LastValid!.DuplicateNameError(owner));
                continue;
            }
            owners[job.Name] = path;
            active.Add(new ActiveJob(job, state.Version!));
        }

        var current = errors.Select(e => e.ToString()).ToHashSet();
        var changed = errors.Where(e => !previousErrors.Contains(e.ToString())).ToList();
        previousErrors = current;
        return new Result(active, errors, changed);
    }
}
