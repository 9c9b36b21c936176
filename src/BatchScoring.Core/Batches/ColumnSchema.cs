namespace BatchScoring.Core.Batches;

/// <summary>A column's name and kind; <paramref name="SourceType"/> is the type as the source names it, for messages.</summary>
public sealed record ColumnSchema(string Name, ColumnKind Kind, string? SourceType = null)
{
    public override string ToString() => SourceType is null ? $"{Name} ({Kind})" : $"{Name} ({SourceType})";
}
