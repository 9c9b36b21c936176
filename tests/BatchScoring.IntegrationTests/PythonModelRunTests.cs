using BatchScoring.Core.Runs;
using BatchScoring.Testing.LightGbm;
using BatchScoring.Testing.Python;
using BatchScoring.Worker.Execution;
using Dapper;
using Microsoft.Extensions.DependencyInjection;

namespace BatchScoring.IntegrationTests;

/// <summary>Every Python-world fixture model through a real run into PostgreSQL: the stored values are the library's own predictions.</summary>
public class PythonModelRunTests(PythonModelsEnvironment env) : IClassFixture<PythonModelsEnvironment>
{
    private static readonly PythonFixtures Fixtures = PythonFixtures.Instance;
    private static readonly string[] LightGbmInputs = [.. LightGbmFixtures.Columns];

    /// <summary>A stored column and what it must hold, by id (1…N).</summary>
    public sealed record Check(string Column, string SqlType, Func<double[]> Expected);

    private static Check Expected(string column, string fixture) => new(column, "real", () => Fixtures.Expected(fixture));

    private static Check LightGbm(string column, Func<LightGbmFixtures.Model> model, int classes = 1, int index = 0)
        => new(column, "real", () => model().Predictions.Where((_, i) => i % classes == index).ToArray());

    public static TheoryData<string, bool, double, Check[]> Models() => new()
    {
        { "logreg_zipmap.onnx", true, 1e-5, [Expected("probability", "logreg_probability")] },
        { "forest.onnx", true, 1e-5, [Expected("probability_bronze", "forest_probability_bronze"), Expected("probability_gold", "forest_probability_gold"), Expected("probability_silver", "forest_probability_silver")] },
        { "gbr.onnx", true, 1e-5, [Expected("score", "gbr_score")] },
        { "pipeline.onnx", false, 1e-5, [Expected("probability", "pipeline_probability")] },
        { "xgb_binary.onnx", true, 1e-5, [Expected("probability", "xgb_binary_probability")] },
        { "xgb_binary.json", true, 1e-6, [Expected("probability", "xgb_binary_probability")] },
        { "xgb_regression.json", true, 1e-6, [Expected("score", "xgb_regression_score")] },
        { "xgb_multiclass.json", true, 1e-6, [Expected("probability_0", "xgb_multiclass_probability_0"), Expected("probability_1", "xgb_multiclass_probability_1"), Expected("probability_2", "xgb_multiclass_probability_2")] },
        { "xgb_categorical.json", false, 1e-6, [Expected("probability", "xgb_categorical_probability")] },
        { "lgb_binary.txt", true, 1e-6, [LightGbm("probability", () => LightGbmFixtures.Instance.Binary)] },
        { "lgb_multiclass.txt", true, 1e-6, [LightGbm("probability_0", () => LightGbmFixtures.Instance.Multiclass, 3, 0), LightGbm("probability_2", () => LightGbmFixtures.Instance.Multiclass, 3, 2)] },
        { "lgb_regression.txt", true, 1e-6, [LightGbm("score", () => LightGbmFixtures.Instance.Regression)] },
    };

    private static string Job(string model) => "py-" + Path.GetFileNameWithoutExtension(model).Replace('_', '-') + "-" + Path.GetExtension(model).TrimStart('.');

    private async Task<string> RunAsync(string model, string modelKeys)
    {
        var name = Job(model);
        var job = env.WriteJob(name, model, modelKeys);
        using var host = await env.HostAsync();
        var outcome = await host.Services.GetRequiredService<JobRunner>().RunAsync(job, RunTrigger.Manual, CancellationToken.None);
        Assert.True(outcome.Status == RunStatus.Succeeded, outcome.Error);
        Assert.Equal(Fixtures.Rows().Count, outcome.RowsScored);
        return "scored." + name.Replace('-', '_');
    }

    private static string KeysOf(string model, bool listInputs)
        => !listInputs ? "" : PythonModelsEnvironment.Inputs(model.StartsWith("lgb_", StringComparison.Ordinal) ? LightGbmInputs : Fixtures.InputsOf(model));

    [Theory]
    [MemberData(nameof(Models))]
    public async Task A_fixture_model_stores_its_librarys_own_predictions(string model, bool listInputs, double tolerance, Check[] checks)
    {
        var table = await RunAsync(model, KeysOf(model, listInputs));

        await using var connection = await env.DataSource.OpenConnectionAsync();
        foreach (var check in checks)
        {
            var type = await connection.ExecuteScalarAsync<string>(
                "SELECT data_type FROM information_schema.columns WHERE table_schema = 'scored' AND table_name = @table AND column_name = @column",
                new { table = table["scored.".Length..], column = check.Column });
            Assert.Equal(check.SqlType, type);
            var stored = (await connection.QueryAsync<(long Id, float Value)>($"SELECT id, {check.Column} FROM {table} ORDER BY id")).ToArray();
            var expected = check.Expected();
            Assert.Equal(expected.Length, stored.Length);
            foreach (var (id, value) in stored)
            {
                var want = expected[id - 1];
                Assert.True(Math.Abs(want - value) <= tolerance * Math.Max(1, Math.Abs(want)), $"{model} {check.Column} id {id}: expected {want}, stored {value}");
            }
        }
    }

    [Fact]
    public async Task Class_labels_are_stored_as_scikit_learn_predicts_them()
    {
        var forest = await RunAsync("forest.onnx", KeysOf("forest.onnx", true));
        var pipeline = await RunAsync("pipeline.onnx", "");

        await using var connection = await env.DataSource.OpenConnectionAsync();
        var tiers = (await connection.QueryAsync<string>($"SELECT predicted_label FROM {forest} ORDER BY id")).ToArray();
        Assert.Equal(Fixtures.ExpectedText("forest_label"), tiers);
        var churned = (await connection.QueryAsync<bool>($"SELECT predicted_label FROM {pipeline} ORDER BY id")).ToArray();
        Assert.Equal(Fixtures.ExpectedText("pipeline_label").Select(l => l == "1"), churned);
    }

    [Fact]
    public async Task ZipMap_and_tensor_probabilities_store_the_same_rows()
    {
        var zipMap = await RunAsync("logreg_zipmap.onnx", KeysOf("logreg_zipmap.onnx", true));
        var tensor = await RunAsync("logreg_tensor.onnx", KeysOf("logreg_tensor.onnx", true));

        await using var connection = await env.DataSource.OpenConnectionAsync();
        var differing = await connection.ExecuteScalarAsync<long>($"""
            SELECT count(*) FROM {zipMap} z FULL JOIN {tensor} t USING (id)
            WHERE z.probability IS DISTINCT FROM t.probability OR z.predicted_label IS DISTINCT FROM t.predicted_label
            """);
        Assert.Equal(0, differing);
        Assert.Equal(Fixtures.Rows().Count, await connection.ExecuteScalarAsync<long>($"SELECT count(*) FROM {tensor}"));
    }

    [Fact]
    public async Task A_positive_class_chosen_in_the_job_file_is_the_stored_probability()
    {
        var table = await RunAsync("logreg_tensor.onnx", KeysOf("logreg_tensor.onnx", true) + "\n  positive_class: \"0\"");

        await using var connection = await env.DataSource.OpenConnectionAsync();
        var stored = (await connection.QueryAsync<float>($"SELECT probability FROM {table} ORDER BY id")).ToArray();
        var expected = Fixtures.Expected("logreg_probability");
        for (var i = 0; i < stored.Length; i++)
            Assert.Equal(1 - expected[i], stored[i], 1e-5);
    }
}
