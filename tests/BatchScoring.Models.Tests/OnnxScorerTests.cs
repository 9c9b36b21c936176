using BatchScoring.Core.Batches;
using BatchScoring.Core.Scoring;
using BatchScoring.Core.Synthetic;
using BatchScoring.Models.MlNet;
using BatchScoring.Models.Onnx;

namespace BatchScoring.Models.Tests;

public class OnnxScorerTests(TrainedModels models) : IClassFixture<TrainedModels>
{
    private static RowBatch Rows(int count, int seed) => RowBatch.Concat(SyntheticChurnData.Schema, SyntheticChurnData.Generate(count, seed).ToList());

    [Fact]
    public void An_MLNET_model_converted_to_ONNX_gives_the_same_probabilities_on_the_same_rows()
    {
        var batch = Rows(4_000, seed: 77);
        var mlnet = MlNetScorer.Load(models.Binary);
        using var onnx = OnnxScorer.Load(TrainedModels.OnnxOf(models.Binary));

        Assert.Equal(ModelTask.BinaryClassification, onnx.Task);
        Assert.Equal(mlnet.Outputs, onnx.Outputs);
        Assert.Equal(mlnet.Inputs, onnx.Inputs);
        var expected = mlnet.Score(batch);
        var actual = onnx.Score(batch);
        var expectedProbability = expected.Column<float>(PredictionColumns.Probability).Values;
        var actualProbability = actual.Column<float>(PredictionColumns.Probability).Values;
        for (var i = 0; i < batch.Count; i++)
        {
            Assert.Equal(expectedProbability[i], actualProbability[i], 1e-5f);
            Assert.Equal(expected.Column<float>(PredictionColumns.Score).Values[i], actual.Column<float>(PredictionColumns.Score).Values[i], 1e-4f);
            Assert.Equal(expected.Column<bool>(PredictionColumns.PredictedLabel).Values[i], actual.Column<bool>(PredictionColumns.PredictedLabel).Values[i]);
        }
        Assert.Contains(expectedProbability, p => p > 0.5f);
        Assert.Contains(expectedProbability, p => p < 0.5f);
    }

    [Fact]
    public void A_converted_regression_model_gives_the_same_scores()
    {
        var batch = Rows(2_000, seed: 78);
        var mlnet = MlNetScorer.Load(models.Regression);
        using var onnx = OnnxScorer.Load(TrainedModels.OnnxOf(models.Regression));

        Assert.Equal(ModelTask.Regression, onnx.Task);
        Assert.Equal(["score"], onnx.Outputs.Select(o => o.Name));
        var expected = mlnet.Score(batch).Column<float>(PredictionColumns.Score).Values;
        var actual = onnx.Score(batch).Column<float>(PredictionColumns.Score).Values;
        for (var i = 0; i < batch.Count; i++)
            Assert.Equal(expected[i], actual[i], Math.Abs(expected[i]) * 1e-5f);
    }

    [Fact]
    public void A_converted_multiclass_model_gives_the_same_class_probabilities_and_labels()
    {
        var batch = Rows(2_000, seed: 79);
        var mlnet = MlNetScorer.Load(models.Multiclass);
        using var onnx = OnnxScorer.Load(TrainedModels.OnnxOf(models.Multiclass));

        Assert.Equal(ModelTask.MulticlassClassification, onnx.Task);
        Assert.Equal(TrainedModels.ContractClasses, onnx.Classes);
        Assert.Equal(mlnet.Outputs, onnx.Outputs);
        var expected = mlnet.Score(batch);
        var actual = onnx.Score(batch);
        foreach (var column in onnx.Outputs.Where(o => o.Kind == ColumnKind.Float32))
        {
            for (var i = 0; i < batch.Count; i++)
                Assert.Equal(expected.Column<float>(column.Name).Values[i], actual.Column<float>(column.Name).Values[i], 1e-5f);
        }
        Assert.Equal(expected.Column<string>(PredictionColumns.PredictedLabel).Values, actual.Column<string>(PredictionColumns.PredictedLabel).Values);
    }

    [Fact]
    public void Nulls_are_fed_as_missing_values_and_an_empty_batch_gives_no_rows()
    {
        using var onnx = OnnxScorer.Load(TrainedModels.OnnxOf(models.Binary));
        var batch = Rows(10, seed: 1);
        batch["monthly_charges"].Nulls[3] = true;
        batch["contract"].Nulls[4] = true;
        Assert.All(onnx.Score(batch).Column<float>(PredictionColumns.Probability).Values, p => Assert.InRange(p, 0f, 1f));

        var empty = new RowBatch(SyntheticChurnData.Schema, 1) { Count = 0 };
        Assert.Equal(0, onnx.Score(empty).Count);
    }

    [Fact]
    public void The_ONNX_input_metadata_is_checked_against_the_source_naming_both_sides()
    {
        using var onnx = OnnxScorer.Load(TrainedModels.OnnxOf(models.Binary));
        Assert.Contains(new ModelInput("contract", ColumnKind.Text), onnx.Inputs);
        Assert.Contains(new ModelInput("tenure_months", ColumnKind.Float32), onnx.Inputs);

        var source = SyntheticChurnData.Schema.Where(c => c.Name != "contract")
            .Select(c => c.Name == "tenure_months" ? new ColumnSchema(c.Name, ColumnKind.Text, "text") : c).ToArray();
        var error = Assert.Throws<Core.Errors.SchemaMismatchException>(() => InputBinder.Bind("churn-job", "public.customers", source, onnx.Inputs));
        Assert.Contains("model input column 'contract' (Text) is missing from source public.customers", error.Message);
        Assert.Contains("source column 'tenure_months' is text but the model input 'tenure_months' needs Float32", error.Message);
        Assert.Contains("churn-job", error.Message);
    }
}
