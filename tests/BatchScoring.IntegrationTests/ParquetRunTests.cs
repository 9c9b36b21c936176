using BatchScoring.Core.Batches;
using BatchScoring.Core.Jobs;
using BatchScoring.Core.Planning;
using BatchScoring.Core.Runs;
using BatchScoring.Core.Scoring;
using BatchScoring.Core.Synthetic;
using BatchScoring.Parquet.Sinks;
using BatchScoring.Parquet.Sources;
using BatchScoring.Postgres.Migrations;
using BatchScoring.Worker.Execution;
using Dapper;
using Microsoft.Extensions.DependencyInjection;

namespace BatchScoring.IntegrationTests;

public class ParquetRunTests(ScoringEnvironment env) : IClassFixture<ScoringEnvironment>
{
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_folder_of_Parquet_files_is_scored_into_a_Parquet_output_with_a_success_marker_and_the_table_when_one_is_named(bool withTable)
    {
        var name = withTable ? "from-parquet" : "parquet-only";
        var input = Path.Combine(env.Folder, name + "-in");
        var output = Path.Combine(env.Folder, name + "-out");
        var table = "scored." + name.Replace('-', '_');
        await WriteInputAsync(input, files: 3, rowsPerFile: 2_000);
        env.WriteJob(name, $"""
            name: {name}
            source:
              parquet: {input}
              key_columns: [customer_id]
            model:
              path: churn.zip
            output:
            {(withTable ? $"  table: {table}" : "")}
              parquet_folder: {output}
            """);
        using var host = await env.HostAsync();
        await host.Services.GetRequiredService<MigrationRunner>().ApplyAsync(CancellationToken.None);

        var outcome = await host.Services.GetRequiredService<JobRunner>().RunAsync(
            JobSpecLoader.LoadByName(env.Folder, name), RunTrigger.Manual, CancellationToken.None);

        Assert.True(outcome.Status == RunStatus.Succeeded, outcome.Error);
        Assert.Equal(6_000, outcome.RowsScored);
        Assert.Equal(withTable ? table : output, outcome.Output);
        Assert.True(File.Exists(Path.Combine(output, ParquetOutputLayout.SuccessMarker)));
        var written = new ParquetSource(new ParquetSourceSpec(output, ["customer_id"]));
        var columns = (await written.DescribeAsync(CancellationToken.None)).Where(c => c.Name is "customer_id" or "probability" or "run_id").ToArray();
        var keys = new List<long>();
        foreach (var partition in await written.PlanAsync(null, PartitioningSpec.Default, CancellationToken.None))
        {
            await foreach (var batch in written.ReadAsync(columns, partition.Bounds, 1_000, CancellationToken.None))
            {
                keys.AddRange(batch.Column<long>("customer_id").Values.Take(batch.Count));
                Assert.All(batch.Column<long>("run_id").Values.Take(batch.Count), r => Assert.Equal(outcome.RunId, r));
            }
        }
        Assert.Equal(Enumerable.Range(1, 6_000).Select(i => (long)i), keys.Order());

        await using var connection = await env.DataSource.OpenConnectionAsync();
        Assert.Equal(withTable, await connection.ExecuteScalarAsync<bool>($"SELECT to_regclass('{table}') IS NOT NULL"));
        if (withTable)
            Assert.Equal(6_000, await connection.ExecuteScalarAsync<long>($"SELECT count(*) FROM {table}"));
    }

    /// <summary>Synthetic customers as plain Parquet files, one per part.</summary>
    private static async Task WriteInputAsync(string folder, int files, int rowsPerFile)
    {
        var sink = new ParquetPartitionSink(folder, SyntheticChurnData.Schema, []);
        var part = 0;
        foreach (var batch in SyntheticChurnData.Generate(files * rowsPerFile, seed: 8, batchSize: rowsPerFile))
        {
            await using var file = await sink.BeginPartitionAsync(new SinkPartition(0, part++, PartitionBounds.Everything, "input", "input"), CancellationToken.None);
            await file.WriteAsync(new ScoredBatch(batch, new RowBatch([], 0)), CancellationToken.None);
            await file.CompleteAsync(CancellationToken.None);
        }
    }
}
