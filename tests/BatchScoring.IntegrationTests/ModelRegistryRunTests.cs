using BatchScoring.Core.Runs;
using BatchScoring.Core.Scoring;
using BatchScoring.Postgres.Ledger;
using BatchScoring.Postgres.Registry;
using BatchScoring.Worker.Execution;
using Dapper;
using Microsoft.Extensions.DependencyInjection;

namespace BatchScoring.IntegrationTests;

public class ModelRegistryRunTests(ModelsEnvironment env) : IClassFixture<ModelsEnvironment>
{
    [Fact]
    public async Task Moving_the_champion_alias_switches_the_next_runs_model_and_the_runs_table_shows_both_versions()
    {
        using var host = await env.MigratedHostAsync();
        var registry = host.Services.GetRequiredService<ModelRegistry>();
        var runner = host.Services.GetRequiredService<JobRunner>();
        await registry.RegisterAsync("churn-alias", env.ModelFile, ["champion"], null, CancellationToken.None);
        await registry.RegisterAsync("churn-alias", env.ChallengerFile, [], null, CancellationToken.None);
        var job = ModelsEnvironment.Job("alias-job", "scored.alias_job", "churn-alias@champion");

        var first = await runner.RunAsync(job, RunTrigger.Manual, CancellationToken.None);
        await registry.SetAliasAsync("churn-alias", 2, "champion", CancellationToken.None);
        var second = await runner.RunAsync(job, RunTrigger.Manual, CancellationToken.None);

        Assert.Equal((RunStatus.Succeeded, RunStatus.Succeeded), (first.Status, second.Status));
        await using var connection = await env.DataSource.OpenConnectionAsync();
        var runs = await connection.QueryAsync<(long RunId, string Name, string Version)>(
            "SELECT run_id, model_name, model_version FROM scoring.runs WHERE job_name = 'alias-job' ORDER BY run_id");
        Assert.Equal([(first.RunId, "churn-alias", "1"), (second.RunId, "churn-alias", "2")], runs);
        Assert.Equal(["2"], await connection.QueryAsync<string>("SELECT DISTINCT model_version FROM scored.alias_job"));

        var (keys, expected) = env.ScoreDirectly(env.ChallengerFile);
        var stored = (await connection.QueryAsync<(long Key, float Probability)>("SELECT customer_id, probability FROM scored.alias_job"))
            .ToDictionary(r => r.Key, r => r.Probability);
        for (var i = 0; i < keys.Length; i++)
            Assert.Equal(expected.Column<float>(PredictionColumns.Probability).Values[i], stored[keys[i]]);
    }

    [Fact]
    public async Task A_tampered_registered_model_is_refused_and_the_run_fails_before_writing_anything()
    {
        using var host = await env.MigratedHostAsync();
        var record = await host.Services.GetRequiredService<ModelRegistry>().RegisterAsync("churn-tampered", env.ModelFile, ["champion"], null, CancellationToken.None);
        await using (var file = File.OpenWrite(record.FilePath))
        {
            file.Seek(100, SeekOrigin.Begin);
            file.WriteByte(0x42);
        }

        var outcome = await host.Services.GetRequiredService<JobRunner>().RunAsync(
            ModelsEnvironment.Job("tampered-job", "scored.tampered", "churn-tampered@champion"), RunTrigger.Manual, CancellationToken.None);

        Assert.Equal(RunStatus.Failed, outcome.Status);
        var run = await host.Services.GetRequiredService<RunLedger>().GetAsync(outcome.RunId, CancellationToken.None);
        Assert.Equal(RunStatus.Failed, run!.Status);
        Assert.Contains("tampered-job", run.Error);
        Assert.Contains("churn-tampered@1", run.Error);
        Assert.Contains(record.Sha256, run.Error);
        Assert.Contains("changed after registration", run.Error);
        Assert.Equal(0, run.RowsRead);
        await using var connection = await env.DataSource.OpenConnectionAsync();
        Assert.Null(await connection.ExecuteScalarAsync<string?>("SELECT to_regclass('scored.tampered')::text"));
    }

    [Fact]
    public async Task A_shadow_run_writes_champion_scores_to_the_main_table_challenger_scores_to_the_shadow_table_and_agreement_figures_to_the_run()
    {
        using var host = await env.MigratedHostAsync();
        var registry = host.Services.GetRequiredService<ModelRegistry>();
        await registry.RegisterAsync("churn-shadow", env.ModelFile, ["champion"], null, CancellationToken.None);
        await registry.RegisterAsync("churn-shadow", env.ChallengerFile, ["challenger"], null, CancellationToken.None);

        var outcome = await host.Services.GetRequiredService<JobRunner>().RunAsync(
            ModelsEnvironment.Job("shadow-job", "scored.shadow_job", "churn-shadow@champion", "churn-shadow@challenger"), RunTrigger.Manual, CancellationToken.None);
        Assert.Equal(RunStatus.Succeeded, outcome.Status);

        await using var connection = await env.DataSource.OpenConnectionAsync();
        const string Select = "SELECT customer_id, probability, predicted_label, model_version, run_id FROM {0}";
        var main = (await connection.QueryAsync<Row>(string.Format(Select, "scored.shadow_job"))).ToDictionary(r => r.customer_id);
        var shadow = (await connection.QueryAsync<Row>(string.Format(Select, "scored.shadow_job_shadow"))).ToDictionary(r => r.customer_id);
        Assert.Equal(ModelsEnvironment.SourceRows, main.Count);
        Assert.Equal(ModelsEnvironment.SourceRows, shadow.Count);
        Assert.All(main.Values, r => Assert.Equal(("1", outcome.RunId), (r.model_version, r.run_id)));
        Assert.All(shadow.Values, r => Assert.Equal(("2", outcome.RunId), (r.model_version, r.run_id)));

        var (keys, champion) = env.ScoreDirectly(env.ModelFile);
        var (_, challenger) = env.ScoreDirectly(env.ChallengerFile);
        var championProbability = champion.Column<float>(PredictionColumns.Probability).Values;
        var challengerProbability = challenger.Column<float>(PredictionColumns.Probability).Values;
        for (var i = 0; i < keys.Length; i++)
        {
            Assert.Equal(championProbability[i], main[keys[i]].probability);
            Assert.Equal(challengerProbability[i], shadow[keys[i]].probability);
        }
        Assert.Contains(keys, k => main[k].probability != shadow[k].probability);

        // The figures on the run, computed here directly from the two tables.
        var pairs = keys.Select(k => ((double)main[k].probability, (double)shadow[k].probability)).ToArray();
        var meanX = pairs.Average(p => p.Item1);
        var meanY = pairs.Average(p => p.Item2);
        var pearson = pairs.Sum(p => (p.Item1 - meanX) * (p.Item2 - meanY))
            / Math.Sqrt(pairs.Sum(p => Math.Pow(p.Item1 - meanX, 2)) * pairs.Sum(p => Math.Pow(p.Item2 - meanY, 2)));
        var agreement = keys.Count(k => main[k].predicted_label == shadow[k].predicted_label) / (double)keys.Length;
        var run = await connection.QuerySingleAsync<(string, string, string, long, double, double, double)>(
            """
            SELECT challenger_name, challenger_version, shadow_table, shadow_rows, shadow_label_agreement,
                   shadow_mean_abs_score_diff, shadow_score_correlation
            FROM scoring.runs WHERE run_id = @RunId
            """, new { outcome.RunId });
        Assert.Equal(("churn-shadow", "2", "scored.shadow_job_shadow", (long)ModelsEnvironment.SourceRows), (run.Item1, run.Item2, run.Item3, run.Item4));
        Assert.Equal(agreement, run.Item5, 12);
        Assert.Equal(pairs.Average(p => Math.Abs(p.Item1 - p.Item2)), run.Item6, 9);
        Assert.Equal(pearson, run.Item7, 9);
        Assert.InRange(run.Item7, 0.5, 0.9999);
    }

    [Fact]
    public async Task A_configured_shadow_table_is_used_and_the_main_table_is_refused_as_shadow_table()
    {
        using var host = await env.MigratedHostAsync();
        var runner = host.Services.GetRequiredService<JobRunner>();

        var configured = await runner.RunAsync(ModelsEnvironment.Job("shadow-configured", "scored.configured", "churn.zip", "churn-challenger.zip", "shadow.configured_challenger"),
            RunTrigger.Manual, CancellationToken.None);
        Assert.Equal(RunStatus.Succeeded, configured.Status);
        var refused = await runner.RunAsync(ModelsEnvironment.Job("shadow-refused", "scored.refused", "churn.zip", "churn-challenger.zip", "scored.refused"),
            RunTrigger.Manual, CancellationToken.None);
        Assert.Equal(RunStatus.Failed, refused.Status);
        Assert.Contains("must not be the output table", refused.Error);

        await using var connection = await env.DataSource.OpenConnectionAsync();
        Assert.Equal(ModelsEnvironment.SourceRows, await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM shadow.configured_challenger"));
        Assert.Null(await connection.ExecuteScalarAsync<string?>("SELECT to_regclass('scored.configured_shadow')::text"));
        Assert.Null(await connection.ExecuteScalarAsync<string?>("SELECT to_regclass('scored.refused')::text"));
    }

    private sealed record Row(long customer_id, float probability, bool predicted_label, string model_version, long run_id);
}
