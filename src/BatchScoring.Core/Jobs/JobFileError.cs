namespace BatchScoring.Core.Jobs;

/// <summary>One problem in a job file, at a 1-based line and column (0 when the problem is the whole file).</summary>
public sealed record JobFileError(string FilePath, long Line, long Column, string Message)
{
    public override string ToString() => Line > 0 ? $"{FilePath}:{Line}:{Column}: {Message}" : $"{FilePath}: {Message}";
}
