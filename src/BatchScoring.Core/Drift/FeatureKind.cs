using BatchScoring.Core.Batches;

namespace BatchScoring.Core.Drift;

/// <summary>How a column is sketched and which statistics apply to it.</summary>
public enum FeatureKind
{
    Numeric,
    Categorical,
    Binary,
}

/// <summary>Whether a column is a model input (data drift) or a model output (prediction drift).</summary>
public enum FeatureRole
{
    Input,
    Output,
}

public static class FeatureKinds
{
    /// <summary>Numbers, dates and timestamps are numeric; booleans binary; text and UUIDs categorical.</summary>
    public static FeatureKind Of(ColumnKind kind) => kind switch
    {
        ColumnKind.Boolean => FeatureKind.Binary,
        ColumnKind.Text or ColumnKind.Uuid => FeatureKind.Categorical,
        _ => FeatureKind.Numeric,
    };
}

/// <summary>A column that a <see cref="Sketches.DatasetSketch"/> covers.</summary>
public sealed record FeatureDefinition(string Name, FeatureRole Role, FeatureKind Kind)
{
    public static FeatureDefinition Of(ColumnSchema column, FeatureRole role) => new(column.Name, role, FeatureKinds.Of(column.Kind));
}
