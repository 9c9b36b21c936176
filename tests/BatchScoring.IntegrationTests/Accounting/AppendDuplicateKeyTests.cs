using BatchScoring.Core.Jobs;
using BatchScoring.Core.Runs;
using BatchScoring.Postgres.Ledger;
using BatchScoring.Postgres.Migrations;
using BatchScoring.Worker.Execution;
using Dapper;
using Microsoft.Extensions.DependencyInjection;

namespace BatchScoring.IntegrationTests.Accounting;

/// <summary>Append mode writes a key at most once per run: partitions whose source rows repeat a key of the run are refused.</summary>
public class AppendDuplicateKeyTests(ScoringEnvironment env) : IClassFixture<ScoringEnvironment>
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Duplicate_keys_within_a_run_are_refused_and_never_written(bool tableFromBefore)
    {
        var name = tableFromBefore ? "append_old" : "append_new";
        await using var connection = await env.DataSource.OpenConnectionAsync();
        // 1,000 keys; 10 of them twice: 5 within one weekly slice (slices are cut from the Unix epoch, a Thursday),
        // 5 a week apart (two partitions).
        await connection.ExecuteAsync($"""
            CREATE TABLE public.{name} AS SELECT * FROM public.customers WHERE event_time < '2026-09-24' ORDER BY customer_id LIMIT 1000;
            INSERT INTO public.{name} SELECT * FROM public.{name}
                WHERE event_time >= '2026-09-03' AND event_time < '2026-09-10' ORDER BY customer_id LIMIT 5;
            INSERT INTO public.{name} SELECT customer_id, event_time + interval '7 days', tenure_months, monthly_charges, total_charges, support_calls,
                days_since_login, num_products, avg_session_minutes, late_payments, contract, payment_method, churned
                FROM public.{name} WHERE event_time >= '2026-09-10' AND event_time < '2026-09-17' ORDER BY customer_id LIMIT 5;
            """);
        if (tableFromBefore)
        {
            // The layout append tables had before the unique (key, run_id) index.
            await connection.ExecuteAsync($"""
                CREATE SCHEMA IF NOT EXISTS scored;
                CREATE TABLE scored.{name} (customer_id bigint NOT NULL, score real, probability real, predicted_label boolean,
                    model_version text NOT NULL, run_id bigint NOT NULL, partition_id bigint NOT NULL, scored_at timestamptz NOT NULL);
                CREATE INDEX ON scored.{name} (run_id, partition_id);
                """);
        }
        env.WriteJob(name, $"""
            name: {name}
            source:
              table: public.{name}
              key_columns: [customer_id]
              timestamp_column: event_time
            partitioning:
              grain: 7d
            model:
              path: churn.zip
            output:
              table: scored.{name}
              mode: append
            """);
        using var host = await env.HostAsync();
        await host.Services.GetRequiredService<MigrationRunner>().ApplyAsync(CancellationToken.None);
        var job = JobSpecLoader.LoadByName(env.Folder, name);

        var outcome = await host.Services.GetRequiredService<JobRunner>().RunAsync(job, RunTrigger.Manual, CancellationToken.None);

        Assert.Equal(RunStatus.PartiallyFailed, outcome.Status);
        var failed = (await host.Services.GetRequiredService<RunLedger>().PartitionsAsync(outcome.RunId, CancellationToken.None))
            .Where(p => p.Status == "failed").ToArray();
        // The key range holding a key twice, and one of the two sharing keys a week apart (whichever committed second).
        Assert.Equal(2, failed.Length);
        Assert.Contains(failed, p => p.PartitionKey.StartsWith("2026-09-03T00:00Z/", StringComparison.Ordinal) && p.Attempts == 1);
        Assert.Contains(failed, p => p.PartitionKey.StartsWith("2026-09-10T00:00Z/", StringComparison.Ordinal) || p.PartitionKey.StartsWith("2026-09-17T00:00Z/", StringComparison.Ordinal));
        Assert.All(failed, p => Assert.Contains(
            $"Output table scored.{name} (append) would hold a key (customer_id) twice in run {outcome.RunId}", p.LastError));
        Assert.Equal(0, await connection.ExecuteScalarAsync<long>(
            $"SELECT count(*) - count(DISTINCT customer_id) FROM scored.{name} WHERE run_id = @run", new { run = outcome.RunId }));
        // A key scored by another run is no duplicate: a second run appends its own row for it.
        await connection.ExecuteAsync($"DELETE FROM public.{name} WHERE event_time < '2026-09-17'");
        var second = await host.Services.GetRequiredService<JobRunner>().RunAsync(job, RunTrigger.Manual, CancellationToken.None);
        Assert.True(second.Status == RunStatus.Succeeded, second.Error);
        Assert.Equal(await connection.ExecuteScalarAsync<long>($"SELECT count(*) FROM public.{name}"), second.RowsScored);
    }
}
