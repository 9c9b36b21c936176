using System.Diagnostics;
using BatchScoring.Core.Synthetic;
using Dapper;
using Npgsql;
using NpgsqlTypes;

namespace BatchScoring.Benchmarks;

/// <summary>
/// What the machine's I/O allows with no scoring: binary COPY of the key and the model's features
/// out of the table, then binary COPY of as many prediction rows into a table keyed and indexed like
/// a real output table.
/// </summary>
public static class IoFloor
{
    public sealed record Result(TimeSpan CopyOut, TimeSpan CopyIn)
    {
        public TimeSpan Total => CopyOut + CopyIn;
    }

    public static async Task<Result> MeasureAsync(NpgsqlDataSource dataSource, string table)
    {
        await using var connection = await dataSource.OpenConnectionAsync();
        var keys = new List<long>();
        var stopwatch = Stopwatch.StartNew();
        await CopyOutAsync(connection, table, keys);
        var copyOut = stopwatch.Elapsed;

        await connection.ExecuteAsync("""
            CREATE SCHEMA IF NOT EXISTS scored;
            DROP TABLE IF EXISTS scored.bench_floor;
            CREATE TABLE scored.bench_floor (
                customer_id bigint NOT NULL, predicted_label boolean, probability real, score real,
                model_version text NOT NULL, run_id bigint NOT NULL, partition_id bigint NOT NULL, scored_at timestamptz NOT NULL,
                PRIMARY KEY (customer_id));
            CREATE INDEX ON scored.bench_floor (scored_at);
            """);
        stopwatch.Restart();
        await CopyInAsync(connection, keys);
        return new Result(copyOut, stopwatch.Elapsed);
    }

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

    private static async Task CopyInAsync(NpgsqlConnection connection, List<long> keys)
    {
        var scoredAt = DateTime.UtcNow;
        await using var importer = await connection.BeginBinaryImportAsync(
            "COPY scored.bench_floor (customer_id, predicted_label, probability, score, model_version, run_id, partition_id, scored_at) FROM STDIN (FORMAT BINARY)");
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
