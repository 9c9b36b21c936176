using BatchScoring.Core.Batches;
using BatchScoring.Models.MlNet;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace BatchScoring.Models.Training;

/// <summary>
/// What every trainer here shares: numeric features as they are and text features one-hot encoded,
/// concatenated into <c>Features</c>; and saving with an input schema of the feature columns only,
/// so the model never asks for the label when scoring or converting to ONNX.
/// </summary>
internal sealed class FeaturePipeline(IReadOnlyList<string> numericFeatures, IReadOnlyList<string> categoricalFeatures)
{
    public const string FeaturesColumn = "Features";
    public const string LabelColumn = "Label";

    public InputColumn[] Features { get; } = numericFeatures.Select(n => new InputColumn(n, NumberDataViewType.Single, n))
        .Concat(categoricalFeatures.Select(c => new InputColumn(c, TextDataViewType.Instance, c)))
        .ToArray();

    public IDataView TrainingView(RowBatch data, DataViewType labelType, string labelSource)
        => new RowBatchDataView(data, [.. Features, new InputColumn(LabelColumn, labelType, labelSource)]);

    public EstimatorChain<ColumnConcatenatingTransformer> Encode(MLContext ml)
    {
        var encoded = categoricalFeatures.Select(c => new InputOutputColumnPair(c + "_onehot", c)).ToArray();
        return ml.Transforms.Categorical.OneHotEncoding(encoded)
            .Append(ml.Transforms.Concatenate(FeaturesColumn, [.. numericFeatures, .. encoded.Select(e => e.OutputColumnName)]));
    }

    public void Save(MLContext ml, ITransformer model, string path)
    {
        var inputSchema = new DataViewSchema.Builder();
        foreach (var feature in Features)
            inputSchema.AddColumn(feature.Name, feature.Type);
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        var temporary = path + ".tmp";
        ml.Model.Save(model, inputSchema.ToSchema(), temporary);
        File.Move(temporary, path, overwrite: true);
    }
}
