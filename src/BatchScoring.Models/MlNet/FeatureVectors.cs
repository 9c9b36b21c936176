using Microsoft.ML;
using Microsoft.ML.Data;

namespace BatchScoring.Models.MlNet;

/// <summary>A data view of ready-made feature vectors, to feed a predictor directly (the probe of <see cref="CompiledTreeModel"/>).</summary>
internal static class FeatureVectors
{
    public static IDataView View(string column, float[] features, int width)
    {
        var definition = SchemaDefinition.Create(typeof(Row));
        definition[0].ColumnName = column;
        definition[0].ColumnType = new VectorDataViewType(NumberDataViewType.Single, width);
        var rows = Enumerable.Range(0, features.Length / width).Select(r => new Row { Features = features[(r * width)..((r + 1) * width)] });
        return new MLContext().Data.LoadFromEnumerable(rows, definition);
    }

    public sealed class Row
    {
        public float[] Features { get; set; } = [];
    }
}
