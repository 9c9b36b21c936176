using BatchScoring.Core.Batches;
using Microsoft.ML.Data;

namespace BatchScoring.Models.MlNet;

/// <summary>A column exposed to ML.NET: its name and type there, and the batch column it is read from.</summary>
internal sealed record InputColumn(string Name, DataViewType Type, string SourceColumn);

internal static class DataViewTypes
{
    /// <summary>Our kind for an ML.NET scalar type, or null when we cannot feed it.</summary>
    public static ColumnKind? KindOf(DataViewType type) => type switch
    {
        NumberDataViewType t when t == NumberDataViewType.Single => ColumnKind.Float32,
        NumberDataViewType t when t == NumberDataViewType.Double => ColumnKind.Float64,
        TextDataViewType => ColumnKind.Text,
        BooleanDataViewType => ColumnKind.Boolean,
        _ => null,
    };

    public static DataViewType TypeOf(ColumnKind kind) => kind switch
    {
        ColumnKind.Float32 => NumberDataViewType.Single,
        ColumnKind.Float64 => NumberDataViewType.Double,
        ColumnKind.Text => TextDataViewType.Instance,
        ColumnKind.Boolean => BooleanDataViewType.Instance,
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "ML.NET inputs are numbers, text or booleans."),
    };
}
