using BatchScoring.Core.Batches;
using BatchScoring.Core.Scoring;
using BatchScoring.Core.Synthetic;
using BatchScoring.Models.MlNet;

namespace BatchScoring.Models.Tests;

public class MlNetTaskTests(TrainedModels models) : IClassFixture<TrainedModels>
{
    private static RowBatch Rows(int count) => RowBatch.Concat(SyntheticChurnData.Schema, SyntheticChurnData.Generate(count, seed: 31).ToList());

    [Fact]
    public void A_regression_model_produces_a_score_only()
    {
        var scorer = MlNetScorer.Load(models.Regression);
        Assert.Equal(ModelTask.Regression, scorer.Task);
        Assert.Equal([PredictionColumns.ScoreColumn], scorer.Outputs);
        var scores = scorer.Score(Rows(500)).Column<float>(PredictionColumns.Score).Values;
        Assert.True(scores.Distinct().Count() > 10);
    }

    [Fact]
    public void A_multiclass_model_produces_the_label_and_one_probability_per_class_named_after_the_class()
    {
        var scorer = MlNetScorer.Load(models.Multiclass);
        Assert.Equal(ModelTask.MulticlassClassification, scorer.Task);
        Assert.Equal(TrainedModels.ContractClasses, scorer.Classes);
        Assert.Equal(
            [("predicted_label", ColumnKind.Text), ("probability_month_to_month", ColumnKind.Float32), ("probability_one_year", ColumnKind.Float32), ("probability_two_year", ColumnKind.Float32)],
            scorer.Outputs.Select(o => (o.Name, o.Kind)));

        var scored = scorer.Score(Rows(500));
        var probabilities = scored.Columns.Skip(1).Select(c => ((BatchColumn<float>)c).Values).ToArray();
        var labels = scored.Column<string>(PredictionColumns.PredictedLabel).Values;
        for (var i = 0; i < scored.Count; i++)
        {
            Assert.Equal(1.0, probabilities.Sum(p => p[i]), 1e-4);
            var best = Enumerable.Range(0, probabilities.Length).MaxBy(c => probabilities[c][i]);
            Assert.Equal(TrainedModels.ContractClasses[best], labels[i]);
        }
    }

    [Fact]
    public void Class_names_become_column_names_and_collisions_are_refused()
    {
        Assert.Equal(["probability_yes", "probability_no_way", "probability_3"], PredictionColumns.ClassProbabilityColumns(["Yes", "no way", "3"]));
        var error = Assert.Throws<Core.Errors.SchemaMismatchException>(() => PredictionColumns.ClassProbabilityColumns(["a-b", "a b"]));
        Assert.Contains("'a-b'", error.Message);
        Assert.Contains("probability_a_b", error.Message);
    }
}
