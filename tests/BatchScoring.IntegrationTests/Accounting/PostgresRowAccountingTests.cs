using BatchScoring.Core.Jobs;
using BatchScoring.Core.Runs;
using BatchScoring.Postgres.Migrations;
using BatchScoring.Worker.Execution;
using Dapper;
using Microsoft.Extensions.DependencyInjection;

namespace BatchScoring.IntegrationTests.Accounting;

/// <summary>Every row a PostgreSQL source returns is scored or dead-lettered with its column and reason, whatever the partitioning.</summary>
public class PostgresRowAccountingTests(ScoringEnvironment env) : IClassFixture<ScoringEnvironment>
{
    public static TheoryData<string, string, int, string> Sources => new()
    {
        // name, key column (bigint: key ranges; text: hash buckets), buckets, source kind
        { "acct_one", "customer_id", 1, "table" },
        { "acct_ranges", "customer_id", 4, "table" },
        { "acct_hash", "customer_ref", 4, "table" },
        { "acct_query", "customer_id", 4, "query" },
    };

    [Theory]
    [MemberData(nameof(Sources))]
    public async Task Null_keys_null_timestamps_and_unreadable_values_are_accounted_for(string name, string key, int buckets, string kind)
    {
        await using var connection = await env.DataSource.OpenConnectionAsync();
        // 1,000 rows: 3 without a key, 3 without a timestamp (the run is sliced by week, without a window),
        // a numeric beyond decimal, a NaN numeric and a double beyond float32.
        await connection.ExecuteAsync($"""
            CREATE TABLE public.{name} AS SELECT *, customer_id::text AS customer_ref FROM public.customers ORDER BY customer_id LIMIT 1000;
            ALTER TABLE public.{name} ALTER COLUMN total_charges TYPE numeric;
            UPDATE public.{name} SET customer_id = NULL, customer_ref = NULL WHERE customer_id IN (10, 500, 990);
            UPDATE public.{name} SET event_time = NULL WHERE customer_id IN (20, 600, 980);
            UPDATE public.{name} SET total_charges = 1e40 WHERE customer_id = 30;
            UPDATE public.{name} SET total_charges = 'NaN' WHERE customer_id = 40;
            UPDATE public.{name} SET monthly_charges = 1e300 WHERE customer_id = 50;
            """);
        var source = kind == "table" ? $"table: public.{name}" : $"query: SELECT * FROM public.{name} WHERE true";
        env.WriteJob(name, $"""
            name: {name}
            source:
              {source}
              key_columns: [{key}]
              timestamp_column: event_time
            partitioning:
              grain: 7d
              buckets: {buckets}
            model:
              path: churn.zip
            output:
              table: scored.{name}
            retries:
              max_attempts: 1
            errors:
              max_failed_percent: 50
            """);
        using var host = await env.HostAsync();
        await host.Services.GetRequiredService<MigrationRunner>().ApplyAsync(CancellationToken.None);

        var outcome = await host.Services.GetRequiredService<JobRunner>().RunAsync(
            JobSpecLoader.LoadByName(env.Folder, name), RunTrigger.Manual, CancellationToken.None);

        Assert.True(outcome.Status == RunStatus.Succeeded, outcome.Error);
        var sourceRows = await connection.ExecuteScalarAsync<long>($"SELECT count(*) FROM public.{name}");
        Assert.Equal(sourceRows, outcome.RowsRead);
        Assert.Equal(outcome.RowsRead, outcome.RowsScored + outcome.RowsFailed);
        Assert.Equal(outcome.RowsScored, await connection.ExecuteScalarAsync<long>($"SELECT count(*) FROM scored.{name}"));
        var letters = (await connection.QueryAsync<(string? Column, string Stage, string Reason)>(
            "SELECT column_name, stage, reason FROM scoring.dead_letters WHERE run_id = @run ORDER BY dead_letter_id", new { run = outcome.RunId })).ToArray();
        Assert.Equal(outcome.RowsFailed, letters.Length);
        Assert.Equal(3, letters.Count(l => l.Column == key && l.Stage == "read" && l.Reason == $"key column '{key}' is null"));
        Assert.Equal(2, letters.Count(l => l.Column == "total_charges" && l.Stage == "read" && l.Reason.Contains("cannot be read as Decimal", StringComparison.Ordinal)));
        Assert.Single(letters, l => l.Column == "monthly_charges" && l.Stage == "score" && l.Reason.Contains("float32", StringComparison.Ordinal));
        Assert.Equal(6, letters.Length);
        // The rows without a timestamp were scored, in partitions of their own.
        Assert.Equal(3, await connection.ExecuteScalarAsync<long>(
            $"SELECT count(*) FROM scored.{name} o JOIN public.{name} s ON s.{key} = o.{key} WHERE s.event_time IS NULL"));
    }
}
