using BatchScoring.Core.Jobs;
using BatchScoring.Core.Runs;
using BatchScoring.Postgres.Ledger;
using BatchScoring.Postgres.Migrations;
using BatchScoring.Worker.Execution;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.ML;

namespace BatchScoring.IntegrationTests;

public class EndToEndRunTests(ScoringEnvironment env) : IClassFixture<ScoringEnvironment>
{
    private const string ChurnJob = """
        name: churn
        source:
          table: public.customers
          key_columns: [customer_id]
        model:
          path: churn.zip
        output:
          table: scored.churn
        """;

    [Fact]
    public async Task Every_row_is_scored_exactly_once_with_MLNETs_own_probabilities()
    {
        env.WriteJob("churn", ChurnJob);
        using var host = await env.HostAsync();
        await host.Services.GetRequiredService<MigrationRunner>().ApplyAsync(CancellationToken.None);
        var job = JobSpecLoader.LoadByName(env.Folder, "churn");

        var outcome = await host.Services.GetRequiredService<JobRunner>().RunAsync(job, RunTrigger.Manual, CancellationToken.None);
        Assert.True(outcome.Status == RunStatus.Succeeded, outcome.Error);
        Assert.Equal(ScoringEnvironment.SourceRows, outcome.RowsScored);

        await using var connection = await env.DataSource.OpenConnectionAsync();
        var stored = (await connection.QueryAsync<(long Key, float Probability, long RunId, string ModelVersion)>(
            "SELECT customer_id, probability, run_id, model_version FROM scored.churn")).ToList();
        Assert.Equal(ScoringEnvironment.SourceRows, stored.Count);
        Assert.Equal(Enumerable.Range(1, ScoringEnvironment.SourceRows).Select(i => (long)i), stored.Select(s => s.Key).Order());
        Assert.All(stored, s => Assert.Equal(outcome.RunId, s.RunId));

        var expected = await MlNetProbabilitiesAsync(connection);
        foreach (var row in stored)
            Assert.Equal(expected[row.Key], row.Probability, 1e-6f);

        var run = await host.Services.GetRequiredService<RunLedger>().GetAsync(outcome.RunId, CancellationToken.None);
        Assert.NotNull(run);
        Assert.Equal(RunStatus.Succeeded, run.Status);
        Assert.Equal(ScoringEnvironment.SourceRows, run.RowsRead);
        Assert.Equal(ScoringEnvironment.SourceRows, run.RowsScored);
        Assert.Equal(stored[0].ModelVersion, run.ModelVersion);
        Assert.True(run.FinishedAt > run.StartedAt);

        // A second run replaces the rows instead of doubling them.
        var again = await host.Services.GetRequiredService<JobRunner>().RunAsync(job, RunTrigger.Manual, CancellationToken.None);
        Assert.Equal(RunStatus.Succeeded, again.Status);
        Assert.Equal(ScoringEnvironment.SourceRows, await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM scored.churn"));
        Assert.Equal(again.RunId, await connection.ExecuteScalarAsync<long>("SELECT DISTINCT run_id FROM scored.churn"));
    }

    [Fact]
    public async Task A_model_input_missing_from_the_source_fails_the_run_and_writes_nothing()
    {
        await using var connection = await env.DataSource.OpenConnectionAsync();
        await connection.ExecuteAsync("CREATE TABLE public.customers_no_contract AS SELECT * FROM public.customers; ALTER TABLE public.customers_no_contract DROP COLUMN contract");
        env.WriteJob("broken", ChurnJob.Replace("name: churn", "name: broken-churn").Replace("public.customers", "public.customers_no_contract").Replace("scored.churn", "scored.broken"));
        using var host = await env.HostAsync();
        await host.Services.GetRequiredService<MigrationRunner>().ApplyAsync(CancellationToken.None);

        var outcome = await host.Services.GetRequiredService<JobRunner>().RunAsync(
            JobSpecLoader.LoadByName(env.Folder, "broken"), RunTrigger.Manual, CancellationToken.None);

        Assert.Equal(RunStatus.Failed, outcome.Status);
        var run = await host.Services.GetRequiredService<RunLedger>().GetAsync(outcome.RunId, CancellationToken.None);
        Assert.Equal(RunStatus.Failed, run!.Status);
        Assert.Contains("'contract'", run.Error);
        Assert.Contains("broken-churn", run.Error);
        Assert.Null(await connection.ExecuteScalarAsync<string?>("SELECT to_regclass('scored.broken')::text"));
    }

    private async Task<Dictionary<long, float>> MlNetProbabilitiesAsync(Npgsql.NpgsqlConnection connection)
    {
        var rows = (await connection.QueryAsync<ChurnRow>(
            """
            SELECT customer_id AS CustomerId, tenure_months, monthly_charges, total_charges::float8 AS total_charges, support_calls,
                   days_since_login, num_products, avg_session_minutes, late_payments, contract, payment_method
            FROM public.customers
            """)).ToList();
        var ml = new MLContext();
        var model = ml.Model.Load(env.ModelFile, out _);
        var predictions = ml.Data.CreateEnumerable<Prediction>(model.Transform(ml.Data.LoadFromEnumerable(rows.Select(r => r.ToInput()))), false);
        return rows.Zip(predictions).ToDictionary(p => p.First.CustomerId, p => p.Second.Probability);
    }

    private sealed class Prediction
    {
        public float Probability { get; set; }
    }

    private sealed record ChurnRow(long CustomerId, int tenure_months, double monthly_charges, double total_charges, short support_calls,
        int days_since_login, int num_products, float avg_session_minutes, int late_payments, string contract, string payment_method)
    {
        public ChurnInput ToInput() => new()
        {
            tenure_months = tenure_months, monthly_charges = (float)monthly_charges, total_charges = (float)total_charges,
            support_calls = support_calls, days_since_login = days_since_login, num_products = num_products,
            avg_session_minutes = avg_session_minutes, late_payments = late_payments, contract = contract, payment_method = payment_method,
        };
    }

    private sealed class ChurnInput
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
    }
}
