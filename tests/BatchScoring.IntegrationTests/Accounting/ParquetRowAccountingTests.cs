using BatchScoring.Core.Batches;
using BatchScoring.Core.Jobs;
using BatchScoring.Core.Runs;
using BatchScoring.Core.Scoring;
using BatchScoring.Core.Synthetic;
using BatchScoring.Parquet.Sinks;
using BatchScoring.Postgres.Ledger;
using BatchScoring.Postgres.Migrations;
using BatchScoring.Worker.Execution;
using Dapper;
using Microsoft.Extensions.DependencyInjection;

namespace BatchScoring.IntegrationTests.Accounting;

/// <summary>Every row of a Parquet source is scored or dead-lettered; a file lacking the key column fails alone, naming itself and the column.</summary>
public class ParquetRowAccountingTests(ScoringEnvironment env) : IClassFixture<ScoringEnvironment>
{
    [Fact]
    public async Task Null_keys_null_timestamps_and_values_beyond_float32_are_accounted_for_and_a_file_without_the_key_fails_alone()
    {
        var input = Path.Combine(env.Folder, "accounting-in");
        // part-0: 1,000 rows, 3 without a key, 3 without a timestamp, one double beyond float32; part-1: 500 rows without the key column.
        var good = SyntheticChurnData.Generate(1_000, seed: 3, batchSize: 1_000).Single();
        foreach (var row in new[] { 10, 500, 990 })
            good.Column<long>("customer_id").SetNull(row);
        foreach (var row in new[] { 20, 600, 980 })
            good.Column<DateTime>("event_time").SetNull(row);
        good.Column<double>("monthly_charges").Set(50, 1e300);
        await WriteAsync(input, 0, good);
        var keyless = SyntheticChurnData.Generate(500, seed: 4, batchSize: 500, firstKey: 5_000).Single();
        await WriteAsync(input, 1, new RowBatch(keyless.Columns.Where(c => c.Name != "customer_id").ToArray()) { Count = keyless.Count });
        env.WriteJob("parquet-accounting", $"""
            name: parquet-accounting
            source:
              parquet: {input}
              key_columns: [customer_id]
              timestamp_column: event_time
            model:
              path: churn.zip
            output:
              table: scored.parquet_accounting
            """);
        using var host = await env.HostAsync();
        await host.Services.GetRequiredService<MigrationRunner>().ApplyAsync(CancellationToken.None);

        var outcome = await host.Services.GetRequiredService<JobRunner>().RunAsync(
            JobSpecLoader.LoadByName(env.Folder, "parquet-accounting"), RunTrigger.Manual, CancellationToken.None);

        Assert.Equal(RunStatus.PartiallyFailed, outcome.Status);
        var partitions = await host.Services.GetRequiredService<RunLedger>().PartitionsAsync(outcome.RunId, CancellationToken.None);
        var failed = Assert.Single(partitions, p => p.Status == "failed");
        Assert.Equal(1, failed.Attempts);
        Assert.Contains($"Parquet file {Path.Combine(input, "part-1.parquet")} does not fit the job: it lacks key column 'customer_id'", failed.LastError);
        Assert.Equal(1_000, outcome.RowsRead);
        Assert.Equal(outcome.RowsRead, outcome.RowsScored + outcome.RowsFailed);
        await using var connection = await env.DataSource.OpenConnectionAsync();
        Assert.Equal(outcome.RowsScored, await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM scored.parquet_accounting"));
        var letters = (await connection.QueryAsync<(string? Column, string Stage, string Reason)>(
            "SELECT column_name, stage, reason FROM scoring.dead_letters WHERE run_id = @run", new { run = outcome.RunId })).ToArray();
        Assert.Equal(outcome.RowsFailed, letters.Length);
        Assert.Equal(3, letters.Count(l => l is { Column: "customer_id", Stage: "read", Reason: "key column 'customer_id' is null" }));
        Assert.Single(letters, l => l.Column == "monthly_charges" && l.Reason.Contains("float32", StringComparison.Ordinal));
        Assert.Equal(4, letters.Length);
    }

    private static async Task WriteAsync(string folder, int part, RowBatch batch)
    {
        var sink = new ParquetPartitionSink(folder, batch.Schema, []);
        await using var file = await sink.BeginPartitionAsync(new SinkPartition(0, part, PartitionBounds.Everything, "input", "input"), CancellationToken.None);
        await file.WriteAsync(new ScoredBatch(batch, new RowBatch([], 0)), CancellationToken.None);
        await file.CompleteAsync(CancellationToken.None);
    }
}
