using BatchScoring.Core.Errors;

namespace BatchScoring.Core.Jobs;

/// <summary>
/// A job file that cannot be used. <see cref="Errors"/> holds every problem found in the file, in
/// order of position; the message lists them all, one <c>file:line:column: message</c> per line.
/// </summary>
public sealed class JobSpecException : BatchScoringException
{
    public JobSpecException(string filePath, long line, long column, string reason)
        : this([new JobFileError(filePath, line, column, reason)])
    {
    }

    public JobSpecException(IReadOnlyList<JobFileError> errors)
        : base(string.Join(Environment.NewLine, errors))
    {
        if (errors.Count == 0)
            throw new ArgumentException("A job file error needs at least one error.", nameof(errors));
        Errors = errors;
    }

    public IReadOnlyList<JobFileError> Errors { get; }
    public string FilePath => Errors[0].FilePath;
    public long Line => Errors[0].Line;
    public long Column => Errors[0].Column;
    public string Reason => Errors[0].Message;
}
