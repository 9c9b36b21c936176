using BatchScoring.Core.Batches;
using BatchScoring.Core.Synthetic;
using BatchScoring.Models.MlNet;
using BatchScoring.Models.Training;
using Microsoft.ML;

namespace BatchScoring.Models.Tests;

public sealed class TrainedChurnModel : IDisposable
{
    public TrainedChurnModel()
    {
        var training = RowBatch.Concat(SyntheticChurnData.Schema, SyntheticChurnData.Generate(8_000, seed: 5).ToList());
        BinaryModelTrainer.TrainAndSave(training, new BinaryModelTrainer.Options(
            SyntheticChurnData.NumericFeatures, SyntheticChurnData.CategoricalFeatures, SyntheticChurnData.LabelColumn, Trees: 20, Leaves: 8), Path);
    }

    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"churn-{Guid.NewGuid():N}.zip");

    public void Dispose() => File.Delete(Path);
}

public class MlNetScorerTests(TrainedChurnModel model) : IClassFixture<TrainedChurnModel>
{
    [Fact]
    public void Inputs_come_from_the_models_own_schema()
    {
        var scorer = MlNetScorer.Load(model.Path);
        Assert.Equal(
            SyntheticChurnData.NumericFeatures.Select(n => (n, ColumnKind.Float32)).Concat(SyntheticChurnData.CategoricalFeatures.Select(c => (c, ColumnKind.Text))),
            scorer.Inputs.Select(i => (i.Name, i.Kind)));
        Assert.Equal(["score", "probability", "predicted_label"], scorer.Outputs.Select(o => o.Name));
    }

    [Fact]
    public void Batch_scores_equal_MLNET_scoring_typed_rows()
    {
        var batch = RowBatch.Concat(SyntheticChurnData.Schema, SyntheticChurnData.Generate(3_000, seed: 99).ToList());
        var scores = MlNetScorer.Load(model.Path).Score(batch);

        var ml = new MLContext();
        var transformer = ml.Model.Load(model.Path, out _);
        var rows = Enumerable.Range(0, batch.Count).Select(i => ChurnRow.From(batch, i)).ToList();
        var expected = ml.Data.CreateEnumerable<ChurnPrediction>(transformer.Transform(ml.Data.LoadFromEnumerable(rows)), reuseRowObject: false).ToList();

        Assert.Equal(batch.Count, scores.Count);
        for (var i = 0; i < batch.Count; i++)
        {
            Assert.Equal(expected[i].Probability, scores.Column<float>("probability").Values[i]);
            Assert.Equal(expected[i].Score, scores.Column<float>("score").Values[i]);
            Assert.Equal(expected[i].PredictedLabel, scores.Column<bool>("predicted_label").Values[i]);
        }
    }

    [Fact]
    public void Nulls_are_fed_as_missing_values()
    {
        var batch = RowBatch.Concat(SyntheticChurnData.Schema, SyntheticChurnData.Generate(10, seed: 1).ToList());
        batch["monthly_charges"].Nulls[3] = true;
        batch["contract"].Nulls[4] = true;
        var scores = MlNetScorer.Load(model.Path).Score(batch);
        Assert.All(scores.Column<float>("probability").Values, p => Assert.InRange(p, 0f, 1f));
    }

    private sealed class ChurnPrediction
    {
        public float Score { get; set; }
        public float Probability { get; set; }
        public bool PredictedLabel { get; set; }
    }

    private sealed class ChurnRow
    {
        public float tenure_months { get; set; }
        public float monthly_charges { get; set; }
        public float total_charges { get; set; }
        public float support_calls { get; set; }
        public float days_since_login { get; set; }
        public float num_products { get; set; }
        public float avg_session_minutes { get; set; }
        public float late_payments { get; set; }
        public string contract { get; set; } = "";
        public string payment_method { get; set; } = "";

        public static ChurnRow From(RowBatch b, int i) => new()
        {
            tenure_months = b.Column<int>("tenure_months").Values[i],
            monthly_charges = (float)b.Column<double>("monthly_charges").Values[i],
            total_charges = (float)b.Column<decimal>("total_charges").Values[i],
            support_calls = b.Column<short>("support_calls").Values[i],
            days_since_login = b.Column<int>("days_since_login").Values[i],
            num_products = b.Column<int>("num_products").Values[i],
            avg_session_minutes = b.Column<float>("avg_session_minutes").Values[i],
            late_payments = b.Column<int>("late_payments").Values[i],
            contract = b.Column<string>("contract").Values[i],
            payment_method = b.Column<string>("payment_method").Values[i],
        };
    }
}
