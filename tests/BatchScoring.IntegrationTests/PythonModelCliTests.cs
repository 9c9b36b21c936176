using BatchScoring.IntegrationTests.Operations;
using BatchScoring.Testing.Python;
using Dapper;

namespace BatchScoring.IntegrationTests;

/// <summary>
/// The real executable with Python-world models: misfits refused before a run is created (<c>run</c>, <c>jobs validate</c>),
/// <c>models inspect</c> with and without a job, and <c>models register</c> of an XGBoost file.
/// </summary>
public class PythonModelCliTests(PythonModelsEnvironment env) : IClassFixture<PythonModelsEnvironment>
{
    private Task<CliRun> Cli(params string[] arguments) => CliRun.RunAsync(env.Folder, arguments, env.Environment());

    private async Task<long> RunsOf(string job)
    {
        await using var connection = await env.DataSource.OpenConnectionAsync();
        return await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM scoring.runs WHERE job_name = @job", new { job });
    }

    private string JobFile(string name) => Path.Combine(env.Folder, name + ".yaml");

    [Fact]
    public async Task Model_inputs_of_the_wrong_length_are_refused_at_their_line_before_a_run_is_created()
    {
        env.WriteJob("py-short", "logreg_tensor.onnx", "  inputs: [tenure, charges]");

        var run = await Cli("run", "py-short");

        run.AssertOneLineError(2, $"{JobFile("py-short")}:7:11: 'model.inputs' lists 2 column(s)", "inputs: float_input tensor(float) [N,3]");
        Assert.Equal(0, await RunsOf("py-short"));
    }

    [Fact]
    public async Task An_unknown_column_and_a_text_column_in_model_inputs_are_refused_at_their_items_before_a_run_is_created()
    {
        env.WriteJob("py-misfit", "logreg_tensor.onnx", "  inputs: [tenure, plan, nowhere]");

        var run = await Cli("run", "py-misfit");

        run.AssertOneLineError(2,
            $"{JobFile("py-misfit")}:7:20: 'model.inputs' item 2 ('plan') feeds column 1 of input 'float_input'",
            "source column 'plan' is text but the model input 'plan' needs Float32",
            $"{JobFile("py-misfit")}:7:26: 'model.inputs' item 3 ('nowhere')",
            "model input column 'nowhere' (Float32) is missing from source public.python_rows",
            "inputs: float_input tensor(float) [N,3]");
        Assert.Equal(0, await RunsOf("py-misfit"));
    }

    [Fact]
    public async Task Jobs_validate_with_a_database_reports_a_misfit_and_exits_2()
    {
        env.WriteJob("py-validate", "xgb_binary.json", "  inputs: [tenure, charges]");

        var run = await Cli("jobs", "validate", JobFile("py-validate"));

        Assert.True(run.ExitCode == 2, run.Stdout + run.Stderr);
        Assert.Contains($"{JobFile("py-validate")}:7:11: 'model.inputs' lists 2 column(s) but xgboost model", run.Stdout);
        Assert.Contains("has 4 features (f0, f1, f2, f3)", run.Stdout);
        Assert.Contains("1 job file(s), 1 invalid, 1 error(s).", run.Stdout);
    }

    [Theory]
    [InlineData("logreg_zipmap.onnx", "binary classification", "float_input tensor(float) [N,3]", "output_probability seq(map(int64,tensor(float)))")]
    [InlineData("logreg_tensor.onnx", "binary classification", "float_input tensor(float) [N,3]", "probabilities tensor(float) [N,2]")]
    [InlineData("forest.onnx", "multiclass classification", "float_input tensor(float) [N,3]", "output_label tensor(string) [N]")]
    [InlineData("gbr.onnx", "regression", "float_input tensor(float) [N,3]", "variable tensor(float) [N,1]")]
    [InlineData("pipeline.onnx", "binary classification", "visits tensor(int64) [N,1]", "output_label tensor(int64) [N]")]
    [InlineData("xgb_binary.onnx", "binary classification", "input tensor(float) [N,4]", "probabilities tensor(float) [N,2]")]
    [InlineData("xgb_binary.json", "binary classification", "f0 float", "probability Float32")]
    [InlineData("xgb_regression.json", "regression", "f3 float", "score Float32")]
    [InlineData("xgb_multiclass.json", "multiclass classification", "f1 float", "probability_2 Float32")]
    [InlineData("xgb_categorical.json", "binary classification", "plan_code float (categorical)", "predicted_label Boolean")]
    [InlineData("lgb_binary.txt", "binary classification", "Column_3 double (categorical)", "probability Float32")]
    [InlineData("lgb_multiclass.txt", "multiclass classification", "Column_0 double", "probability_1 Float32")]
    [InlineData("lgb_regression.txt", "regression", "Column_2 double", "score Float32")]
    public async Task Models_inspect_describes_each_fixture_model(string model, string task, string input, string output)
    {
        var run = await Cli("models", "inspect", Path.Combine(env.Folder, model));

        Assert.True(run.ExitCode == 0, run.Stdout + run.Stderr);
        var lines = run.Stdout.Split('\n').Select(l => l.TrimEnd()).ToArray();
        Assert.Contains($"model     {Path.Combine(env.Folder, model)}", lines);
        Assert.Contains($"task      {task}", lines);
        Assert.Contains(lines, l => l.EndsWith(" " + input, StringComparison.Ordinal) && (l.StartsWith("inputs ", StringComparison.Ordinal) || l.StartsWith("          ", StringComparison.Ordinal)));
        Assert.Contains(lines, l => l.EndsWith(" " + output, StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("features  ", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("writes    ", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Models_inspect_with_a_job_reports_the_fit_of_each_input()
    {
        env.WriteJob("py-fits", "logreg_zipmap.onnx", PythonModelsEnvironment.Inputs(PythonFixtures.Instance.InputsOf("logreg_zipmap.onnx")));

        var run = await Cli("models", "inspect", Path.Combine(env.Folder, "logreg_zipmap.onnx"), "--job", "py-fits");

        Assert.True(run.ExitCode == 0, run.Stdout + run.Stderr);
        Assert.Contains("features  tenure, charges, support", run.Stdout);
        Assert.Contains($"job       py-fits ({JobFile("py-fits")}), source public.python_rows", run.Stdout);
        Assert.Contains("fit       tenure  <- tenure (double precision): ok", run.Stdout);
        Assert.Contains("          support <- support (double precision): ok", run.Stdout);
        Assert.Contains("result    fits: all 3 input(s) bind to the source", run.Stdout);
    }

    [Fact]
    public async Task Models_inspect_writes_the_same_description_as_json()
    {
        env.WriteJob("py-fits-json", "logreg_zipmap.onnx", PythonModelsEnvironment.Inputs(PythonFixtures.Instance.InputsOf("logreg_zipmap.onnx")));

        var run = await Cli("models", "inspect", Path.Combine(env.Folder, "logreg_zipmap.onnx"), "--job", "py-fits-json", "-o", "json");

        Assert.True(run.ExitCode == 0, run.Stdout + run.Stderr);
        using var json = System.Text.Json.JsonDocument.Parse(run.Stdout);
        var root = json.RootElement;
        Assert.Equal(Path.Combine(env.Folder, "logreg_zipmap.onnx"), root.GetProperty("model").GetString());
        Assert.Equal("binary classification", root.GetProperty("task").GetString());
        Assert.Equal(["tenure", "charges", "support"], root.GetProperty("features").EnumerateArray().Select(e => e.GetString()));
        Assert.NotEmpty(root.GetProperty("inputs").EnumerateArray());
        Assert.Contains(root.GetProperty("writes").EnumerateArray(), w => w.GetProperty("name").GetString() == "probability");
        var fit = root.GetProperty("fit");
        Assert.Equal("py-fits-json", fit.GetProperty("job").GetString());
        Assert.True(fit.GetProperty("fits").GetBoolean());
        Assert.All(fit.GetProperty("inputs").EnumerateArray(), i => Assert.Equal(System.Text.Json.JsonValueKind.Null, i.GetProperty("problem").ValueKind));
    }

    [Fact]
    public async Task Models_inspect_with_a_job_names_each_misfit_and_exits_2()
    {
        env.WriteJob("py-misfits", "xgb_binary.json", "  inputs: [tenure, plan, visits, nowhere]");

        var run = await Cli("models", "inspect", Path.Combine(env.Folder, "xgb_binary.json"), "--job", JobFile("py-misfits"));

        Assert.True(run.ExitCode == 2, run.Stdout + run.Stderr);
        Assert.Contains("fit       tenure  <- tenure (double precision): ok", run.Stdout);
        Assert.Contains($"          plan    <- plan (text): MISFIT: {JobFile("py-misfits")}:7:20: 'model.inputs' item 2 ('plan') feeds feature 'f1' of xgboost model", run.Stdout);
        Assert.Contains("source column 'plan' is text but the model input needs Float32", run.Stdout);
        Assert.Contains($"          nowhere <- nowhere: MISFIT: {JobFile("py-misfits")}:7:34: 'model.inputs' item 4 ('nowhere')", run.Stdout);
        Assert.Contains("source public.python_rows has no column 'nowhere'", run.Stdout);
        Assert.Contains("result    misfit: 2 of 4 input(s) do not bind to the source", run.Stdout);
    }

    [Fact]
    public async Task A_corrupt_XGBoost_file_is_refused_by_inspect_naming_the_file()
    {
        var path = Path.Combine(env.Folder, "corrupt.json");
        await File.WriteAllTextAsync(path, "{\"learner\": {\"gradient_booster\": ");

        var run = await Cli("models", "inspect", path);

        run.AssertOneLineError(2, $"Could not read XGBoost JSON model {path}");
    }

    [Fact]
    public async Task Register_stores_an_XGBoost_file_with_its_description_and_a_job_runs_it_by_name()
    {
        var register = await Cli("models", "register", "py-xgb", Path.Combine(env.Folder, "xgb_categorical.json"), "--alias", "champion");
        Assert.True(register.ExitCode == 0, register.Stdout + register.Stderr);
        Assert.Contains("(xgboost, sha256 ", register.Stdout);
        var inspect = await Cli("models", "inspect", "py-xgb@champion");
        Assert.True(inspect.ExitCode == 0, inspect.Stdout + inspect.Stderr);
        Assert.Contains("model     py-xgb@1 (", inspect.Stdout);
        Assert.Contains("features  tenure, balance, plan_code", inspect.Stdout);
        File.WriteAllText(JobFile("py-registered"), File.ReadAllText(env.WriteJob("py-registered", "unused.json").FilePath)
            .Replace("  path: unused.json", "  name: py-xgb@champion"));

        var run = await Cli("run", "py-registered");

        Assert.True(run.ExitCode == 0, run.Stdout + run.Stderr);
        await using var connection = await env.DataSource.OpenConnectionAsync();
        var description = await connection.ExecuteScalarAsync<string>("SELECT description->>'task' FROM scoring.models WHERE name = 'py-xgb'");
        Assert.Equal("BinaryClassification", description);
        var stored = (await connection.QueryAsync<(long Id, float Probability, string Version)>(
            "SELECT id, probability, model_version FROM scored.py_registered ORDER BY id")).ToArray();
        var expected = PythonFixtures.Instance.Expected("xgb_categorical_probability");
        Assert.Equal(expected.Length, stored.Length);
        Assert.All(stored, r => Assert.Equal(expected[r.Id - 1], r.Probability, 1e-6));
        Assert.All(stored, r => Assert.Equal("1", r.Version));
    }
}
