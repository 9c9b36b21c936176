using BatchScoring.Core.Batches;
using BatchScoring.Core.Errors;
using BatchScoring.Core.Jobs;
using BatchScoring.Core.Scoring;
using BatchScoring.Models.Onnx;
using BatchScoring.Testing.Python;

namespace BatchScoring.Models.Tests;

/// <summary>ONNX files laid out as skl2onnx and onnxmltools write them, scored against the Python libraries' own predictions.</summary>
public class PythonOnnxTests
{
    private static readonly PythonFixtures Fixtures = PythonFixtures.Instance;

    /// <summary>A job whose model block is <paramref name="model"/> (YAML lines under <c>model:</c>), parsed with its locations.</summary>
    internal static ModelSpec ModelKeys(string model) => JobSpecLoader.Parse($"""
        name: python-job
        source:
          table: public.customers
          key_columns: [id]
        model:
          path: any.onnx
        {model}
        output:
          table: scored.python
        """, "jobs/python-job.yaml").Model;

    private static IScorer Load(string file, string model = "") => OnnxScorer.Load(Fixtures.PathOf(file)).Bind(ModelKeys(model));

    private static string InputsOf(string file) => "  inputs: [" + string.Join(", ", Fixtures.InputsOf(file)) + "]";

    private static float[] Floats(RowBatch batch, string column) => batch.Column<float>(column).Values[..batch.Count];

    private static void AssertClose(double[] expected, float[] actual, double tolerance)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (var i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - actual[i]) <= tolerance * Math.Max(1, Math.Abs(expected[i])), $"row {i + 1}: expected {expected[i]}, got {actual[i]}");
    }

    [Theory]
    [InlineData("logreg_zipmap.onnx")]
    [InlineData("logreg_tensor.onnx")]
    public void A_logistic_regression_with_one_float_input_scores_as_scikit_learn_does(string file)
    {
        var scorer = Load(file, InputsOf(file));

        Assert.Equal(["tenure", "charges", "support"], scorer.Inputs.Select(i => i.Name));
        Assert.Equal([PredictionColumns.ProbabilityColumn, PredictionColumns.BinaryLabelColumn], scorer.Outputs);
        var scored = scorer.Score(Fixtures.Rows());
        AssertClose(Fixtures.Expected("logreg_probability"), Floats(scored, "probability"), 1e-5);
        Assert.Equal(Fixtures.ExpectedText("logreg_label").Select(l => l == "1"), scored.Column<bool>("predicted_label").Values[..scored.Count]);
    }

    [Fact]
    public void Feature_names_in_the_models_metadata_bind_an_N_F_input_without_model_inputs()
    {
        var scorer = Load("logreg_named.onnx");

        Assert.Equal(["tenure", "charges", "support"], scorer.Inputs.Select(i => i.Name));
        AssertClose(Fixtures.Expected("logreg_probability"), Floats(scorer.Score(Fixtures.Rows()), "probability"), 1e-5);
    }

    [Fact]
    public void ZipMap_and_tensor_probabilities_give_the_same_rows()
    {
        var rows = Fixtures.Rows();
        var zipMap = Load("logreg_zipmap.onnx", InputsOf("logreg_zipmap.onnx")).Score(rows);
        var tensor = Load("logreg_tensor.onnx", InputsOf("logreg_tensor.onnx")).Score(rows);

        Assert.Equal(Floats(tensor, "probability"), Floats(zipMap, "probability"));
        Assert.Equal(tensor.Column<bool>("predicted_label").Values[..rows.Count], zipMap.Column<bool>("predicted_label").Values[..rows.Count]);
    }

    [Fact]
    public void The_positive_class_key_picks_the_probability_and_the_label_of_a_binary_classifier()
    {
        var scorer = Load("logreg_zipmap.onnx", InputsOf("logreg_zipmap.onnx") + "\n  positive_class: \"0\"");
        var scored = scorer.Score(Fixtures.Rows());

        AssertClose(Fixtures.Expected("logreg_probability").Select(p => 1 - p).ToArray(), Floats(scored, "probability"), 1e-5);
        Assert.Equal(Fixtures.ExpectedText("logreg_label").Select(l => l == "0"), scored.Column<bool>("predicted_label").Values[..scored.Count]);
    }

    [Fact]
    public void A_positive_class_the_model_does_not_have_is_refused_at_its_line_with_the_classes()
    {
        var error = Assert.Throws<JobSpecException>(() => Load("logreg_zipmap.onnx", InputsOf("logreg_zipmap.onnx") + "\n  positive_class: yes"));
        Assert.Equal("jobs/python-job.yaml:8:19: 'model.positive_class': 'yes' is not a class of ONNX model " + Fixtures.PathOf("logreg_zipmap.onnx") + "; its classes are 0, 1", error.Message);
    }

    [Fact]
    public void A_random_forest_with_string_classes_writes_a_probability_per_class_and_the_label()
    {
        var scorer = (OnnxScorer)Load("forest.onnx", InputsOf("forest.onnx"));

        Assert.Equal(ModelTask.MulticlassClassification, scorer.Task);
        Assert.Equal(["bronze", "gold", "silver"], scorer.Classes);
        Assert.Equal(PredictionColumns.Multiclass(["bronze", "gold", "silver"]), scorer.Outputs);
        var scored = scorer.Score(Fixtures.Rows());
        foreach (var tier in scorer.Classes)
            AssertClose(Fixtures.Expected($"forest_probability_{tier}"), Floats(scored, $"probability_{tier}"), 1e-5);
        Assert.Equal(Fixtures.ExpectedText("forest_label"), scored.Column<string>("predicted_label").Values[..scored.Count]);
    }

    [Fact]
    public void A_gradient_boosting_regressor_writes_its_variable_output_as_the_score()
    {
        var scorer = Load("gbr.onnx", InputsOf("gbr.onnx"));

        Assert.Equal([PredictionColumns.ScoreColumn], scorer.Outputs);
        AssertClose(Fixtures.Expected("gbr_score"), Floats(scorer.Score(Fixtures.Rows()), "score"), 1e-5);
    }

    [Fact]
    public void A_column_transformer_pipeline_takes_named_inputs_of_float_int64_and_string_by_their_names()
    {
        var scorer = Load("pipeline.onnx");

        Assert.Equal(
            [new ModelInput("tenure", ColumnKind.Float32), new ModelInput("charges", ColumnKind.Float32),
             new ModelInput("visits", ColumnKind.Int64, AcceptsMissing: false), new ModelInput("plan", ColumnKind.Text)],
            scorer.Inputs);
        var scored = scorer.Score(Fixtures.Rows());
        AssertClose(Fixtures.Expected("pipeline_probability"), Floats(scored, "probability"), 1e-5);
        Assert.Equal(Fixtures.ExpectedText("pipeline_label").Select(l => l == "1"), scored.Column<bool>("predicted_label").Values[..scored.Count]);
    }

    [Fact]
    public void An_XGBoost_model_converted_as_onnxmltools_does_scores_as_XGBoost_does()
    {
        var scorer = Load("xgb_binary.onnx", InputsOf("xgb_binary.onnx"));

        AssertClose(Fixtures.Expected("xgb_binary_probability"), Floats(scorer.Score(Fixtures.Rows()), "probability"), 1e-5);
    }

    [Theory]
    [InlineData("xgb_binary.onnx", true)]
    [InlineData("gbr.onnx", true)]
    [InlineData("forest.onnx", false)]
    [InlineData("logreg_tensor.onnx", false)]
    public void Boosted_tree_ensembles_are_scored_by_the_compiled_evaluator_and_other_graphs_by_the_session(string file, bool compiled)
        => Assert.Equal(compiled, ((OnnxScorer)Load(file, InputsOf(file))).UsesCompiledTrees);

    [Fact]
    public void A_compiled_tree_ensemble_scores_rows_with_missing_values_for_a_chosen_positive_class_as_XGBoost_does()
    {
        var rows = Fixtures.Rows();
        Assert.Contains(true, rows["balance"].Nulls[..rows.Count]);
        var compiled = (OnnxScorer)Load("xgb_binary.onnx", InputsOf("xgb_binary.onnx") + "\n  positive_class: \"0\"");
        Assert.True(compiled.UsesCompiledTrees);

        var scored = compiled.Score(rows);
        AssertClose(Fixtures.Expected("xgb_binary_probability").Select(p => 1 - p).ToArray(), Floats(scored, "probability"), 1e-5);
        Assert.Equal(Fixtures.Expected("xgb_binary_probability").Select(p => p <= 0.5), scored.Column<bool>("predicted_label").Values[..rows.Count]);
    }

    [Fact]
    public void A_float_input_without_model_inputs_is_refused_by_name_with_the_key_that_fixes_it()
    {
        var scorer = Load("logreg_tensor.onnx");

        var error = Assert.Throws<SchemaMismatchException>(() => InputBinder.Bind("python-job", "public.customers", PythonFixtures.Schema, scorer.Inputs));
        Assert.Contains("input 'float_input' takes 3 source columns; list them in the model's feature order with 'model.inputs: [column, …]'", error.Message);
        Assert.Contains("inputs: float_input tensor(float) [N,3]; outputs: label tensor(int64) [N], probabilities tensor(float) [N,2]", error.Message);
    }

    [Fact]
    public void Model_inputs_of_the_wrong_length_are_refused_at_their_line_with_the_model_inputs()
    {
        var error = Assert.Throws<JobSpecException>(() => Load("logreg_zipmap.onnx", "  inputs: [tenure, charges]"));

        Assert.StartsWith("jobs/python-job.yaml:7:11: 'model.inputs' lists 2 column(s) but ONNX model ", error.Message);
        Assert.Contains("takes 3 feature column(s) (inputs: float_input tensor(float) [N,3]; outputs: output_label tensor(int64) [N], " +
            "output_probability seq(map(int64,tensor(float))))", error.Message);
    }

    [Fact]
    public void An_unknown_column_and_a_text_column_in_model_inputs_are_refused_at_their_items_before_any_row_is_read()
    {
        var scorer = Load("logreg_tensor.onnx", "  inputs: [tenure, plan, nowhere]");

        var error = Assert.Throws<SchemaMismatchException>(() => InputBinder.Bind("python-job", "public.customers", PythonFixtures.Schema, scorer.Inputs));
        Assert.Contains("jobs/python-job.yaml:7:20: 'model.inputs' item 2 ('plan') feeds column 1 of input 'float_input' of ONNX model", error.Message);
        Assert.Contains("source column 'plan' is Text but the model input 'plan' needs Float32", error.Message);
        Assert.Contains("jobs/python-job.yaml:7:26: 'model.inputs' item 3 ('nowhere')", error.Message);
        Assert.Contains("model input column 'nowhere' (Float32) is missing from source public.customers", error.Message);
    }
}
