using BatchScoring.Core.Batches;
using BatchScoring.Core.Errors;
using BatchScoring.Core.Jobs;
using BatchScoring.Core.Scoring;
using BatchScoring.Models.Trees;
using BatchScoring.Testing.Python;

namespace BatchScoring.Models.Tests;

/// <summary>XGBoost's own JSON files, scored by the compiled tree evaluator, against XGBoost's own predict_proba / predict.</summary>
public class XgboostJsonTests
{
    private static readonly PythonFixtures Fixtures = PythonFixtures.Instance;

    private static TreeModelScorer Load(string file) => TreeModelScorer.LoadXgboost(File.ReadAllBytes(Fixtures.PathOf(file)), Fixtures.PathOf(file));

    private static IScorer Bound(string file) => Load(file).Bind(PythonOnnxTests.ModelKeys("  inputs: [" + string.Join(", ", Fixtures.InputsOf(file)) + "]"));

    private static void AssertClose(double[] expected, RowBatch scored, string column)
    {
        var actual = scored.Column<float>(column).Values;
        for (var i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - actual[i]) <= 1e-6 * Math.Max(1, Math.Abs(expected[i])), $"{column}, row {i + 1}: expected {expected[i]}, got {actual[i]}");
    }

    [Fact]
    public void A_binary_logistic_model_with_missing_values_and_a_base_score_gives_XGBoost_probabilities()
    {
        var model = Load("xgb_binary.json");
        Assert.Equal(["f0", "f1", "f2", "f3"], model.Inputs.Select(i => i.Name));
        Assert.Equal(ModelTask.BinaryClassification, model.Task);

        var scorer = Bound("xgb_binary.json");
        Assert.Equal(["tenure", "charges", "visits", "balance"], scorer.Inputs.Select(i => i.Name));
        Assert.Equal([PredictionColumns.ScoreColumn, PredictionColumns.ProbabilityColumn, PredictionColumns.BinaryLabelColumn], scorer.Outputs);
        var rows = Fixtures.Rows();
        Assert.Contains(true, rows["balance"].Nulls[..rows.Count]);
        var scored = scorer.Score(rows);
        AssertClose(Fixtures.Expected("xgb_binary_probability"), scored, "probability");
        Assert.Equal(Fixtures.Expected("xgb_binary_probability").Select(p => p > 0.5), scored.Column<bool>("predicted_label").Values[..rows.Count]);
    }

    [Fact]
    public void A_squared_error_regression_gives_XGBoost_predictions()
        => AssertClose(Fixtures.Expected("xgb_regression_score"), Bound("xgb_regression.json").Score(Fixtures.Rows()), "score");

    [Fact]
    public void A_softprob_model_gives_one_probability_per_class_and_the_likeliest_class()
    {
        var scorer = Bound("xgb_multiclass.json");
        Assert.Equal(PredictionColumns.Multiclass(["0", "1", "2"]), scorer.Outputs);

        var scored = scorer.Score(Fixtures.Rows());
        var expected = Enumerable.Range(0, 3).Select(c => Fixtures.Expected($"xgb_multiclass_probability_{c}")).ToArray();
        for (var c = 0; c < 3; c++)
            AssertClose(expected[c], scored, $"probability_{c}");
        var labels = scored.Column<string>("predicted_label").Values;
        for (var row = 0; row < scored.Count; row++)
            Assert.Equal(Enumerable.Range(0, 3).MaxBy(c => expected[c][row]).ToString(System.Globalization.CultureInfo.InvariantCulture), labels[row]);
    }

    [Fact]
    public void A_model_with_feature_names_and_a_categorical_split_binds_by_name()
    {
        var scorer = Load("xgb_categorical.json");
        Assert.Equal(["tenure", "balance", "plan_code"], scorer.Inputs.Select(i => i.Name));
        Assert.Equal("float (categorical)", scorer.Description.Inputs[2].Type);

        AssertClose(Fixtures.Expected("xgb_categorical_probability"), scorer.Score(Fixtures.Rows()), "probability");
    }

    [Fact]
    public void Model_inputs_of_the_wrong_length_are_refused_with_the_feature_names()
    {
        var error = Assert.Throws<JobSpecException>(() => Load("xgb_binary.json").Bind(PythonOnnxTests.ModelKeys("  inputs: [tenure]")));

        Assert.Equal($"jobs/python-job.yaml:7:11: 'model.inputs' lists 1 column(s) but xgboost model {Fixtures.PathOf("xgb_binary.json")} has 4 features " +
            "(f0, f1, f2, f3); list one source column per feature, in the model's feature order", error.Message);
    }

    [Fact]
    public void A_corrupt_file_is_refused_naming_it()
    {
        var path = Path.Combine(Path.GetTempPath(), $"corrupt-{Guid.NewGuid():N}.json");
        var bytes = File.ReadAllBytes(Fixtures.PathOf("xgb_binary.json"));
        File.WriteAllBytes(path, bytes[..(bytes.Length / 2)]);
        try
        {
            var error = Assert.Throws<BatchScoringException>(() => TreeModelScorer.LoadXgboost(File.ReadAllBytes(path), path));
            Assert.StartsWith($"Could not read XGBoost JSON model {path}: ", error.Message);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
