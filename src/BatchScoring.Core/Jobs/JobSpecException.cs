using BatchScoring.Core.Errors;

namespace BatchScoring.Core.Jobs;

/// <summary>A job file that cannot be used; the message names the file and, where known, line and column.</summary>
public sealed class JobSpecException(string filePath, long line, long column, string reason)
    : BatchScoringException(line > 0 ? $"{filePath}:{line}:{column}: {reason}" : $"{filePath}: {reason}")
{
    public string FilePath { get; } = filePath;
    public long Line { get; } = line;
    public long Column { get; } = column;
    public string Reason { get; } = reason;
}
