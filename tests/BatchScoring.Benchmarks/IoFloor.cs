using BatchScoring.Core.Synthetic;
using Dapper;
using Npgsql;
using NpgsqlTypes;

namespace BatchScoring.Benchmarks;

/// <summary>
/// What the machine's I/O allows with no scoring: binary COPY of the key and the model's features
/// out of the table, then binary COPY of as many prediction rows into a table keyed and indexed like
/// a real output table. Also, for comparison, the pipeline's way of writing (staging table + upsert merge).
/// </summary>
public static class IoFloor
{
    /// <param name="StagedMerge">The same rows written the way the pipeline writes them: COPY into a temporary staging table, then an upsert merge.</param>
    public sealed record Result(Timed CopyOut, Timed CopyIn, Timed StagedMerge)
    {
        public Timed Total => CopyOut + CopyIn;
    }

    public static async Task<Result> MeasureAsync(NpgsqlDataSource dataSource, string table)
    {
        await using var connection = await dataSource.OpenConnectionAsync();
        var keys = new List<long>();
        var meter = MachineCpu.Start();
        await CopyOutAsync(connection, table, keys);
        var copyOut = meter.Stop();

        await CreateOutputTableAsync(connection, "scored.bench_floor");
        meter = MachineCpu.Start();
        await CopyInAsync(connection, "scored.bench_floor", keys);
        var copyIn = meter.Stop();

        await CreateOutputTableAsync(connection, "scored.bench_floor_merged");
        meter = MachineCpu.Start();
        await using (var transaction = await connection.BeginTransactionAsync())
        {
            await connection.ExecuteAsync("CREATE TEMP TABLE bench_staging (LIKE scored.bench_floor_merged) ON COMMIT DROP", transaction: transaction);
            await CopyInAsync(connection, "bench_staging", keys);
            await connection.ExecuteAsync("""
                INSERT INTO scored.bench_floor_merged SELECT * FROM bench_staging
                ON CONFLICT (customer_id) DO UPDATE SET predicted_label = EXCLUDED.predicted_label, probability = EXCLUDED.probability,
                    score = EXCLUDED.score, model_version = EXCLUDED.model_version, run_id = EXCLUDED.run_id,
                    partition_id = EXCLUDED.partition_id, scored_at = EXCLUDED.scored_at
                """, transaction: transaction, commandTimeout: 0);
            await transaction.CommitAsync();
        }
        return new Result(copyOut, copyIn, meter.Stop());
    }

    private static Task CreateOutputTableAsync(NpgsqlConnection connection, string table) => connection.ExecuteAsync($"""
        CREATE SCHEMA IF NOT EXISTS scored;
        DROP TABLE IF EXISTS {table};
        CREATE TABLE {table} (
            customer_id bigint NOT NULL, predicted_label boolean, probability real, score real,
            model_version text NOT NULL, run_id bigint NOT NULL, partition_id bigint NOT NULL, scored_at timestamptz NOT NULL,
            PRIMARY KEY (customer_id));
        CREATE INDEX ON {table} (scored_at);
        """);

    private static async Task CopyOutAsync(NpgsqlConnection connection, string table, List<long> keys)
    {
        var columns = string.Join(", ", [SyntheticChurnData.KeyColumn, .. SyntheticChurnData.NumericFeatures, .. SyntheticChurnData.CategoricalFeatures]);
        await using var exporter = await connection.BeginBinaryExportAsync($"COPY (SELECT {columns} FROM {table}) TO STDOUT (FORMAT BINARY)");
        double sink = 0;
        while (await exporter.StartRowAsync() != -1)
        {
            keys.Add(exporter.Read<long>(NpgsqlDbType.Bigint));
            sink += exporter.Read<int>(NpgsqlDbType.Integer);
            sink += exporter.Read<double>(NpgsqlDbType.Double);
            sink += (double)exporter.Read<decimal>(NpgsqlDbType.Numeric);
            sink += exporter.Read<short>(NpgsqlDbType.Smallint);
            sink += exporter.Read<int>(NpgsqlDbType.Integer);
            sink += exporter.Read<int>(NpgsqlDbType.Integer);
            sink += exporter.Read<float>(NpgsqlDbType.Real);
            sink += exporter.Read<int>(NpgsqlDbType.Integer);
            sink += exporter.Read<string>(NpgsqlDbType.Text).Length;
            sink += exporter.Read<string>(NpgsqlDbType.Text).Length;
        }
        GC.KeepAlive(sink);
    }

    private static async Task CopyInAsync(NpgsqlConnection connection, string table, List<long> keys)
    {
        var scoredAt = DateTime.UtcNow;
        await using var importer = await connection.BeginBinaryImportAsync(
            $"COPY {table} (customer_id, predicted_label, probability, score, model_version, run_id, partition_id, scored_at) FROM STDIN (FORMAT BINARY)");
        foreach (var key in keys)
        {
            await importer.StartRowAsync();
            importer.Write(key, NpgsqlDbType.Bigint);
            importer.Write((key & 1) == 0, NpgsqlDbType.Boolean);
            importer.Write(0.25f, NpgsqlDbType.Real);
            importer.Write(-1.1f, NpgsqlDbType.Real);
            importer.Write("1", NpgsqlDbType.Text);
            importer.Write(1L, NpgsqlDbType.Bigint);
            importer.Write(1L, NpgsqlDbType.Bigint);
            importer.Write(scoredAt, NpgsqlDbType.TimestampTz);
        }
        await importer.CompleteAsync();
    }
}
