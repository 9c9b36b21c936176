using BatchScoring.Core.Runs;
using BatchScoring.Core.Scoring;
using BatchScoring.Postgres.Registry;
using BatchScoring.Worker.Execution;
using Dapper;
using Microsoft.Extensions.DependencyInjection;

namespace BatchScoring.IntegrationTests;

/// <summary>Each kind of model, registered and run end to end through <see cref="JobRunner"/> into an output table.</summary>
public class ModelTaskRunTests(ModelsEnvironment env) : IClassFixture<ModelsEnvironment>
{
    private async Task<(RunOutcome Outcome, Npgsql.NpgsqlConnection Connection)> RunRegisteredAsync(string name, string file, string output)
    {
        using var host = await env.MigratedHostAsync();
        await host.Services.GetRequiredService<ModelRegistry>().RegisterAsync(name, file, ["champion"], null, CancellationToken.None);
        var outcome = await host.Services.GetRequiredService<JobRunner>().RunAsync(
            ModelsEnvironment.Job(name + "-job", output, name + "@champion"), RunTrigger.Manual, CancellationToken.None);
        Assert.True(outcome.Status == RunStatus.Succeeded, outcome.Error);
        Assert.Equal(ModelsEnvironment.SourceRows, outcome.RowsScored);
        return (outcome, await env.DataSource.OpenConnectionAsync());
    }

    private static async Task<string[]> ColumnsOf(Npgsql.NpgsqlConnection connection, string schema, string table)
        => (await connection.QueryAsync<string>(
            "SELECT column_name FROM information_schema.columns WHERE table_schema = @schema AND table_name = @table ORDER BY ordinal_position",
            new { schema, table })).ToArray();

    [Fact]
    public async Task A_regression_model_writes_one_score_per_row()
    {
        var (_, connection) = await RunRegisteredAsync("charges", env.RegressionFile, "scored.charges");
        await using var _ = connection;
        Assert.Equal(["customer_id", "score", "model_version", "run_id", "partition_id", "scored_at", "job_name", "window_start", "input_fingerprint"], await ColumnsOf(connection, "scored", "charges"));

        var stored = (await connection.QueryAsync<(long Key, float Score)>("SELECT customer_id, score FROM scored.charges")).ToDictionary(r => r.Key, r => r.Score);
        var (keys, expected) = env.ScoreDirectly(env.RegressionFile);
        Assert.Equal(keys.Length, stored.Count);
        for (var i = 0; i < keys.Length; i++)
            Assert.Equal(expected.Column<float>(PredictionColumns.Score).Values[i], stored[keys[i]]);
    }

    [Fact]
    public async Task A_binary_ONNX_model_writes_the_same_columns_and_probabilities_as_its_MLNET_original()
    {
        var (_, connection) = await RunRegisteredAsync("churn-onnx", env.OnnxFile, "scored.churn_onnx");
        await using var _ = connection;
        Assert.Equal(["customer_id", "score", "probability", "predicted_label", "model_version", "run_id", "partition_id", "scored_at", "job_name", "window_start", "input_fingerprint"],
            await ColumnsOf(connection, "scored", "churn_onnx"));

        var stored = (await connection.QueryAsync<(long Key, float Probability, bool Label)>("SELECT customer_id, probability, predicted_label FROM scored.churn_onnx"))
            .ToDictionary(r => r.Key);
        var (keys, expected) = env.ScoreDirectly(env.ModelFile);
        for (var i = 0; i < keys.Length; i++)
        {
            Assert.Equal(expected.Column<float>(PredictionColumns.Probability).Values[i], stored[keys[i]].Probability, 1e-5f);
            Assert.Equal(expected.Column<bool>(PredictionColumns.PredictedLabel).Values[i], stored[keys[i]].Label);
        }
    }

    [Fact]
    public async Task A_multiclass_model_writes_the_predicted_class_and_one_probability_column_per_class()
    {
        var (_, connection) = await RunRegisteredAsync("contract", env.MulticlassFile, "scored.contract");
        await using var _ = connection;
        Assert.Equal(["customer_id", "predicted_label", "probability_month_to_month", "probability_one_year", "probability_two_year", "model_version", "run_id", "partition_id", "scored_at", "job_name", "window_start", "input_fingerprint"],
            await ColumnsOf(connection, "scored", "contract"));

        var stored = (await connection.QueryAsync<(long Key, string Label, float MonthToMonth, float OneYear, float TwoYear)>(
            "SELECT customer_id, predicted_label, probability_month_to_month, probability_one_year, probability_two_year FROM scored.contract"))
            .ToDictionary(r => r.Key);
        var (keys, expected) = env.ScoreDirectly(env.MulticlassFile);
        for (var i = 0; i < keys.Length; i++)
        {
            var row = stored[keys[i]];
            Assert.Equal(expected.Column<string>(PredictionColumns.PredictedLabel).Values[i], row.Label);
            Assert.Equal(expected.Column<float>("probability_one_year").Values[i], row.OneYear);
            Assert.Equal(1.0, row.MonthToMonth + row.OneYear + row.TwoYear, 1e-4);
        }
        Assert.Equal(["month-to-month", "one-year", "two-year"], stored.Values.Select(r => r.Label).Distinct().Order());
    }
}
