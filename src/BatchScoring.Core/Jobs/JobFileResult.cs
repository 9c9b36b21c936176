namespace BatchScoring.Core.Jobs;

/// <summary>
/// What reading one job file gave: the job when the file is valid, else every error found.
/// <see cref="Name"/> is the job's name as written, when it could be read, even from an invalid file, and
/// <see cref="NameLine"/>/<see cref="NameColumn"/> where it is written, for errors about the name.
/// </summary>
public sealed record JobFileResult(string FilePath, JobSpec? Job, string? Name, IReadOnlyList<JobFileError> Errors)
{
    public bool IsValid => Job is not null;
    public long NameLine { get; init; }
    public long NameColumn { get; init; }

    /// <summary>The error for a job name that <paramref name="ownerPath"/> already uses.</summary>
    public JobFileError DuplicateNameError(string ownerPath)
        => new(FilePath, NameLine, NameColumn, $"duplicate job name '{Name}': {ownerPath} already defines it");
}

/// <summary>Every job file of a folder, with duplicate job names reported as errors of the later file.</summary>
public sealed record JobDirectoryResult(IReadOnlyList<JobFileResult> Files)
{
    public IEnumerable<JobSpec> Jobs => Files.Where(f => f.IsValid).Select(f => f.Job!);

    public IEnumerable<JobFileError> Errors => Files.SelectMany(f => f.Errors);
}
