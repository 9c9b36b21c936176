namespace BatchScoring.Core.Jobs;

/// <summary>A 1-based line and column of a job file, kept on values that are checked after parsing.</summary>
public sealed record JobFileLocation(string FilePath, long Line, long Column)
{
    /// <summary>An error at this place, in the same form as the parser's (<c>file:line:column: message</c>).</summary>
    public JobSpecException Error(string message) => new(FilePath, Line, Column, message);

    public override string ToString() => $"{FilePath}:{Line}:{Column}";
}
