using BatchScoring.Core.Batches;
using BatchScoring.Core.Jobs;
using BatchScoring.Core.Runs;
using BatchScoring.Core.Scoring;
using BatchScoring.Core.Synthetic;
using BatchScoring.Parquet.Sinks;
using BatchScoring.Postgres.Ledger;
using BatchScoring.Postgres.Migrations;
using BatchScoring.Worker.Execution;
using Microsoft.Extensions.DependencyInjection;
using Parquet;

namespace BatchScoring.IntegrationTests;

/// <summary>A run over a folder with a corrupt file fails that file's partition, naming it, and scores the others (issue 13, finding 8).</summary>
public sealed class CorruptParquetRunTests(ScoringEnvironment env) : IClassFixture<ScoringEnvironment>
{
    private const int RowsPerFile = 500;

    [Theory]
    [InlineData("truncated-footer", "is truncated or damaged")]
    [InlineData("bad-magic", "not a Parquet file: ")]
    [InlineData("flipped-page-header", ", row group 0, column '")]
    public async Task The_corrupt_files_partition_fails_naming_the_file_and_the_other_files_are_scored(string damage, string expected)
    {
        var name = "corrupt-" + damage;
        var input = Path.Combine(env.Folder, name + "-in");
        var files = await WriteInputAsync(input, 3);
        var broken = files[1];
        await DamageAsync(broken, damage);
        env.WriteJob(name, $"""
            name: {name}
            source:
              parquet: {name}-in
              key_columns: [customer_id]
            model:
              path: churn.zip
            output:
              table: scored.{name.Replace('-', '_')}
            retries: {"{"} max_attempts: 1 {"}"}
            """);
        using var host = await env.HostAsync();
        await host.Services.GetRequiredService<MigrationRunner>().ApplyAsync(CancellationToken.None);

        var outcome = await host.Services.GetRequiredService<JobRunner>().RunAsync(
            JobSpecLoader.LoadByName(env.Folder, name), RunTrigger.Manual, CancellationToken.None);

        Assert.True(outcome.Status == RunStatus.PartiallyFailed, $"{outcome.Status}: {outcome.Error}");
        Assert.Equal(2 * RowsPerFile, outcome.RowsScored);
        var partitions = await host.Services.GetRequiredService<RunLedger>().PartitionsAsync(outcome.RunId, CancellationToken.None);
        var failed = Assert.Single(partitions, p => p.Status == RunStatus.Failed);
        Assert.Contains(broken, failed.LastError);
        Assert.Contains(expected, failed.LastError);
        Assert.DoesNotContain('\n', failed.LastError!);
        Assert.All(partitions.Where(p => p != failed), p => Assert.Equal((RunStatus.Succeeded, (long)RowsPerFile), (p.Status, p.RowsScored)));
        Assert.Contains(broken, outcome.Error);
    }

    /// <summary>Synthetic customers as Parquet files, one per part; their paths in order.</summary>
    private static async Task<IReadOnlyList<string>> WriteInputAsync(string folder, int files)
    {
        var sink = new ParquetPartitionSink(folder, SyntheticChurnData.Schema, []);
        var part = 0;
        foreach (var batch in SyntheticChurnData.Generate(files * RowsPerFile, seed: 13, batchSize: RowsPerFile))
        {
            await using var file = await sink.BeginPartitionAsync(new SinkPartition(0, part++, PartitionBounds.Everything, "input", "input"), CancellationToken.None);
            await file.WriteAsync(new ScoredBatch(batch, new RowBatch([], 0)), CancellationToken.None);
            await file.CompleteAsync(CancellationToken.None);
        }
        return Directory.GetFiles(folder, "*.parquet", SearchOption.AllDirectories).Order(StringComparer.Ordinal).ToArray();
    }

    private static async Task DamageAsync(string path, string damage)
    {
        var bytes = await File.ReadAllBytesAsync(path);
        switch (damage)
        {
            case "truncated-footer":
                bytes = bytes[..^20];
                break;
            case "bad-magic":
                bytes[0] = (byte)'X';
                break;
            case "flipped-page-header":
                long offset;
                await using (var reader = await ParquetReader.CreateAsync(path))
                    offset = reader.Metadata!.RowGroups[0].Columns[0].MetaData!.DataPageOffset;
                bytes[offset + 2] ^= 0xFF; // the page header's uncompressed size
                break;
        }
        await File.WriteAllBytesAsync(path, bytes);
    }
}
