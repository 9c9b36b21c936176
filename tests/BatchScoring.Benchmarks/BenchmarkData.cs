using BatchScoring.Core.Batches;
using BatchScoring.Core.Scoring;
using BatchScoring.Core.Synthetic;
using BatchScoring.Models.Training;
using BatchScoring.Parquet.Sinks;
using BatchScoring.Postgres.Copy;
using Dapper;
using Npgsql;

namespace BatchScoring.Benchmarks;

/// <summary>The benchmark's inputs: synthetic customers in a table and in a Parquet folder, and a cached FastTree model.</summary>
public static class BenchmarkData
{
    public const int Trees = 100;
    public const int Leaves = 31;

    public static string TableFor(long rows) => $"bench.customers_{rows}";

    /// <summary>Creates and fills <see cref="TableFor"/> unless it already holds <paramref name="rows"/> rows.</summary>
    public static async Task<string> EnsureTableAsync(NpgsqlDataSource dataSource, long rows)
    {
        var table = TableFor(rows);
        await using var connection = await dataSource.OpenConnectionAsync();
        await connection.ExecuteAsync("CREATE SCHEMA IF NOT EXISTS bench");
        if (await connection.ExecuteScalarAsync<string?>("SELECT to_regclass(@table)::text", new { table }) is not null
            && await connection.ExecuteScalarAsync<long>($"SELECT count(*) FROM {table}") == rows)
            return table;
        await connection.ExecuteAsync($"DROP TABLE IF EXISTS {table}; CREATE TABLE {table} ({SyntheticChurnData.TableDefinition})");
        await BinaryCopyWriter.CopyAsync(connection, table, SyntheticChurnData.Generate(rows, seed: 42).ToAsyncEnumerable(), CancellationToken.None);
        // Vacuumed as a long-lived table would be, so that no autovacuum of the fresh rows runs during a measure.
        await connection.ExecuteAsync($"VACUUM (ANALYZE) {table}", commandTimeout: 0);
        return table;
    }

    /// <summary>The same rows as Parquet files of at most 100,000 rows each.</summary>
    public static async Task WriteParquetAsync(string folder, long rows)
    {
        const int rowsPerFile = 100_000;
        var sink = new ParquetPartitionSink(folder, SyntheticChurnData.Schema, []);
        var part = 0;
        foreach (var batch in SyntheticChurnData.Generate(rows, seed: 42, batchSize: rowsPerFile))
        {
            await using var file = await sink.BeginPartitionAsync(new SinkPartition(0, part++, PartitionBounds.Everything, "input", "input"), CancellationToken.None);
            await file.WriteAsync(new ScoredBatch(batch, new RowBatch([], 0)), CancellationToken.None);
            await file.CompleteAsync(CancellationToken.None);
        }
    }

    /// <summary>The churn model, trained once on other rows and cached in the temp folder under its parameters.</summary>
    public static string EnsureModel()
    {
        var path = Path.Combine(Path.GetTempPath(), "batchscoring-bench-models", $"churn-fasttree-{Trees}t-{Leaves}l-50k.zip");
        if (File.Exists(path))
            return path;
        Console.WriteLine($"Training the FastTree model ({Trees} trees, {Leaves} leaves) into {path}");
        var training = RowBatch.Concat(SyntheticChurnData.Schema, SyntheticChurnData.Generate(50_000, seed: 7, firstKey: 100_000_000).ToList());
        BinaryModelTrainer.TrainAndSave(training, new BinaryModelTrainer.Options(
            SyntheticChurnData.NumericFeatures, SyntheticChurnData.CategoricalFeatures, SyntheticChurnData.LabelColumn, Trees, Leaves), path);
        return path;
    }
}
