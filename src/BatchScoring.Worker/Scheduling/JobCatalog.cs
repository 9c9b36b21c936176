using System.Collections.Concurrent;
using BatchScoring.Core.Jobs;

namespace BatchScoring.Worker.Scheduling;

/// <summary>The jobs this process schedules: for each name, the last valid version read from its file.</summary>
internal sealed class JobCatalog
{
    private readonly ConcurrentDictionary<string, JobSpec> jobs = new();
    private volatile IReadOnlyList<JobFileError> errors = [];

    public JobSpec? Find(string name) => jobs.GetValueOrDefault(name);

    public IReadOnlyCollection<JobSpec> Jobs => jobs.Values.ToList();

    /// <summary>The problems of the latest look at the job folder (invalid files, duplicate names).</summary>
    public IReadOnlyList<JobFileError> Errors => errors;

    internal void Replace(IReadOnlyCollection<JobSpec> current, IReadOnlyList<JobFileError> currentErrors)
    {
        foreach (var name in jobs.Keys.Except(current.Select(j => j.Name)))
            jobs.TryRemove(name, out _);
        foreach (var job in current)
            jobs[job.Name] = job;
        errors = currentErrors;
    }
}
