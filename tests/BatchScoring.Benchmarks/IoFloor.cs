using BatchScoring.Core.Scoring;
using BatchScoring.Core.Synthetic;
using BatchScoring.Postgres.Copy;
using BatchScoring.Postgres.Sinks;
using Dapper;
using Npgsql;

namespace BatchScoring.Benchmarks;

/// <summary>
/// What the machine's I/O allows with no scoring: binary COPY of the key and the model's features
/// out of the table (decoded into batches by the pipeline's own reader), then binary COPY of as many
/// prediction rows into a table keyed and indexed like a real output table (encoded by the pipeline's
/// own writer). Also, for comparison, the merging way of writing (staging table + upsert merge).
/// </summary>
public static class IoFloor
{
    /// <param name="StagedMerge">The same rows written the way the pipeline writes into a table that already holds rows: COPY into a temporary staging table, then an upsert merge.</param>
    public sealed record Result(Timed CopyOut, Timed CopyIn, Timed StagedMerge)
    {
        public Timed Total => CopyOut + CopyIn;
    }

    public static async Task<Result> MeasureAsync(NpgsqlDataSource dataSource, string table)
    {
        var keys = new List<long>();
        await BenchmarkDatabase.CheckpointAsync(dataSource);
        var meter = MachineCpu.Start();
        await foreach (var batch in StageProbe.ReadTableAsync(dataSource, table))
            keys.AddRange(batch.Column<long>(SyntheticChurnData.KeyColumn).Values.AsSpan(0, batch.Count));
        var copyOut = meter.Stop();

        await using var connection = await dataSource.OpenConnectionAsync();
        await CreateOutputTableAsync(connection, "scored.bench_floor");
        await BenchmarkDatabase.CheckpointAsync(dataSource);
        meter = MachineCpu.Start();
        await CopyInAsync(connection, "scored.bench_floor", keys);
        var copyIn = meter.Stop();

        await CreateOutputTableAsync(connection, "scored.bench_floor_merged");
        await BenchmarkDatabase.CheckpointAsync(dataSource);
        meter = MachineCpu.Start();
        await using (var transaction = await connection.BeginTransactionAsync())
        {
            await connection.ExecuteAsync("CREATE TEMP TABLE bench_staging (LIKE scored.bench_floor_merged) ON COMMIT DROP", transaction: transaction);
            await CopyInAsync(connection, "bench_staging", keys);
            await connection.ExecuteAsync("""
                INSERT INTO scored.bench_floor_merged SELECT * FROM bench_staging
                ON CONFLICT (customer_id) DO UPDATE SET predicted_label = EXCLUDED.predicted_label, probability = EXCLUDED.probability,
                    score = EXCLUDED.score, model_version = EXCLUDED.model_version, run_id = EXCLUDED.run_id,
                    partition_id = EXCLUDED.partition_id, scored_at = EXCLUDED.scored_at, job_name = EXCLUDED.job_name, window_start = EXCLUDED.window_start
                """, transaction: transaction, commandTimeout: 0);
            await transaction.CommitAsync();
        }
        var stagedMerge = meter.Stop();
        // Dropped, so that no autovacuum of them runs during a later measure.
        await connection.ExecuteAsync("DROP TABLE scored.bench_floor, scored.bench_floor_merged");
        return new Result(copyOut, copyIn, stagedMerge);
    }

    private static Task<int> CreateOutputTableAsync(NpgsqlConnection connection, string table) => connection.ExecuteAsync($"""
        CREATE SCHEMA IF NOT EXISTS scored;
        DROP TABLE IF EXISTS {table};
        CREATE TABLE {table} (
            customer_id bigint NOT NULL, predicted_label boolean, probability real, score real,
            model_version text NOT NULL, run_id bigint NOT NULL, partition_id bigint NOT NULL, scored_at timestamptz NOT NULL,
            job_name text NOT NULL, window_start timestamptz, input_fingerprint bigint,
            PRIMARY KEY (customer_id));
        CREATE INDEX ON {table} (scored_at);
        """);

    /// <summary>The prediction rows, encoded by the pipeline's own <see cref="BinaryCopyImport"/> (the fastest COPY in we have).</summary>
    private static async Task CopyInAsync(NpgsqlConnection connection, string table, List<long> keys)
    {
        var lineage = TableSinkWriter.EncodeLineage(new SinkPartition(1, 1, PartitionBounds.Everything, "1", "bench"), DateTime.UtcNow);
        await using var import = await BinaryCopyImport.BeginAsync(connection, table,
            ["customer_id", "predicted_label", "probability", "score", "model_version", "run_id", "partition_id", "scored_at", "job_name", "window_start", "input_fingerprint"], CancellationToken.None);
        foreach (var key in keys)
        {
            import.Buffer.StartRow(11);
            import.Buffer.WriteInt64Value(key);
            import.Buffer.WriteBoolean((key & 1) == 0);
            import.Buffer.WriteFloat32Value(0.25f);
            import.Buffer.WriteFloat32Value(-1.1f);
            import.Buffer.WriteRaw(lineage);
            import.Buffer.WriteInt64Value(~key);
            if (import.Buffer.Length >= 1 << 16)
                await import.FlushAsync(CancellationToken.None);
        }
        await import.CompleteAsync(CancellationToken.None);
    }
}
