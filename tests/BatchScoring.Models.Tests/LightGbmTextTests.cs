using BatchScoring.Core.Errors;
using BatchScoring.Core.Scoring;
using BatchScoring.Models.Trees;
using BatchScoring.Testing.LightGbm;
using BatchScoring.Testing.Python;

namespace BatchScoring.Models.Tests;

/// <summary>LightGBM text models trained and scored by LightGBM's native library, scored again by the compiled tree evaluator.</summary>
public class LightGbmTextTests
{
    private static readonly LightGbmFixtures Fixtures = LightGbmFixtures.Instance;

    private static IScorer Bound(LightGbmFixtures.Model model)
        => TreeModelScorer.LoadLightGbm(File.ReadAllBytes(model.Path), model.Path)
            .Bind(PythonOnnxTests.ModelKeys("  inputs: [" + string.Join(", ", LightGbmFixtures.Columns) + "]"));

    private static void AssertClose(double expected, float actual, string what)
        => Assert.True(Math.Abs(expected - actual) <= 1e-6 * Math.Max(1, Math.Abs(expected)), $"{what}: expected {expected}, got {actual}");

    [Fact]
    public void A_binary_model_with_a_categorical_feature_and_missing_values_gives_LightGBMs_probabilities()
    {
        var model = TreeModelScorer.LoadLightGbm(File.ReadAllBytes(Fixtures.Binary.Path), Fixtures.Binary.Path);
        Assert.Equal(["Column_0", "Column_1", "Column_2", "Column_3"], model.Inputs.Select(i => i.Name));
        Assert.Equal("double (categorical)", model.Description.Inputs[3].Type);
        Assert.Contains(File.ReadLines(Fixtures.Binary.Path).Where(l => l.StartsWith("decision_type=", StringComparison.Ordinal))
            .SelectMany(l => l["decision_type=".Length..].Split(' ')), type => (int.Parse(type, System.Globalization.CultureInfo.InvariantCulture) & 1) == 1);

        var scored = Bound(Fixtures.Binary).Score(PythonFixtures.Instance.Rows());
        var probabilities = scored.Column<float>(PredictionColumns.Probability).Values;
        for (var row = 0; row < scored.Count; row++)
            AssertClose(Fixtures.Binary.Predictions[row], probabilities[row], $"row {row + 1}");
    }

    [Fact]
    public void A_multiclass_model_gives_LightGBMs_class_probabilities()
    {
        var scored = Bound(Fixtures.Multiclass).Score(PythonFixtures.Instance.Rows());

        for (var row = 0; row < scored.Count; row++)
        {
            for (var c = 0; c < 3; c++)
                AssertClose(Fixtures.Multiclass.Predictions[row * 3 + c], scored.Column<float>($"probability_{c}").Values[row], $"row {row + 1} class {c}");
        }
    }

    [Fact]
    public void A_regression_gives_LightGBMs_predictions()
    {
        var scored = Bound(Fixtures.Regression).Score(PythonFixtures.Instance.Rows());

        for (var row = 0; row < scored.Count; row++)
            AssertClose(Fixtures.Regression.Predictions[row], scored.Column<float>(PredictionColumns.Score).Values[row], $"row {row + 1}");
    }

    [Fact]
    public void A_model_with_linear_trees_is_refused_naming_it()
    {
        var path = Path.Combine(Fixtures.Directory, "linear.txt");
        File.WriteAllText(path, File.ReadAllText(Fixtures.Regression.Path).Replace("is_linear=0", "is_linear=1", StringComparison.Ordinal));

        var error = Assert.Throws<BatchScoringException>(() => TreeModelScorer.LoadLightGbm(File.ReadAllBytes(path), path));
        Assert.Equal($"LightGBM model {path} has linear trees (linear_tree=true), which BatchScoring does not score.", error.Message);
    }

    [Theory]
    [InlineData(0.5)]
    [InlineData(0.97)]
    public void A_truncated_file_is_refused_naming_it(double share)
    {
        var text = File.ReadAllText(Fixtures.Binary.Path);
        var path = Path.Combine(Fixtures.Directory, $"truncated-{share}.txt");
        File.WriteAllText(path, text[..text.IndexOf("end of trees", StringComparison.Ordinal)][..(int)(text.IndexOf("end of trees", StringComparison.Ordinal) * share)]);

        var error = Assert.Throws<BatchScoringException>(() => TreeModelScorer.LoadLightGbm(File.ReadAllBytes(path), path));
        Assert.StartsWith($"LightGBM model {path} is truncated", error.Message);
    }
}
