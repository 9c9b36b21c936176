using System.Globalization;
using System.Runtime.CompilerServices;
using BatchScoring.Core.Batches;
using BatchScoring.Core.Scoring;
using BatchScoring.Core.Sql;
using BatchScoring.Postgres.Copy;
using Npgsql;

namespace BatchScoring.Postgres.Output;

/// <summary>
/// The rows a job already wrote in a partition's key range and time slice, for <c>output.skip_unchanged</c>: key (as
/// bigint), <c>input_fingerprint</c> and, when a drift sketch needs them, the score columns, in key order, with one binary <c>COPY (SELECT … ORDER BY
/// key) TO STDOUT</c> through the primary key on a connection of their own, so the export runs beside the source's read.
/// </summary>
public sealed class StoredFingerprints(NpgsqlDataSource dataSource)
{
    /// <summary>The score columns read with the fingerprints: all of them for a drift sketch, else none.</summary>
    public static IReadOnlyList<ColumnSchema> ScoreColumns(OutputTableSchema schema, bool withScores) => withScores ? schema.ScoreColumns : [];

    public static readonly ColumnSchema KeyColumn = new("key", ColumnKind.Int64);

    /// <summary>
    /// The table's generation now (into <paramref name="keeping"/>) and the pairs the partition's last commit kept
    /// (<see cref="KeptFingerprints"/>) if they are still current.
    /// </summary>
    public Task<KeptPairs?> ReadKeptAsync(OutputTableSchema schema, string jobName, PartitionBounds bounds, FingerprintKeeping keeping,
        CancellationToken cancellationToken) => DatabaseCalls.RunAsync(async () =>
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var (generation, kept) = await KeptFingerprints.ReadAsync(connection, schema, jobName, bounds, cancellationToken);
        keeping.GenerationSeen = generation;
        keeping.Kept = kept;
        return kept;
    });

    /// <summary>
    /// Batches of <see cref="KeyColumn"/>, <see cref="InputFingerprint.Column"/>, then the <see cref="ScoreColumns"/>:
    /// decoded from <paramref name="kept"/> pairs when there are some (and no score columns), else the table's rows.
    /// </summary>
    public async IAsyncEnumerable<RowBatch> ReadAsync(OutputTableSchema schema, bool withScores, string jobName, PartitionBounds bounds, int batchSize,
        KeptPairs? kept, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        if (kept is not null && !withScores)
        {
            foreach (var batch in FingerprintPairs.Decode(kept.Pairs, KeyColumn, batchSize))
                yield return batch;
            yield break;
        }
        IReadOnlyList<ColumnSchema> columns = [KeyColumn, InputFingerprint.Column, .. ScoreColumns(schema, withScores)];
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using (var session = new NpgsqlCommand(SessionSql, connection))
            await session.ExecuteNonQueryAsync(cancellationToken);
        await using var copy = await connection.BeginRawBinaryCopyAsync(Sql(schema, withScores, jobName, bounds), cancellationToken);
        var reader = new BinaryCopyReader(copy);
        while (true)
        {
            var batch = new RowBatch(columns, batchSize);
            if (!await reader.FillAsync(batch, cancellationToken))
                yield break;
            yield return batch;
        }
    }

    /// <summary>
    /// Read only, and along the primary key. The statistics of an output table lag behind the rows a run has just
    /// written (autovacuum analyzes later), and without them the planner took a parallel scan of the whole table plus a
    /// sort for an open-ended key range, and a bitmap scan plus a sort for the others, 2–4 × the time of the ordered
    /// index scan (docs/BENCHMARKS.md). The settings last as long as the session: the pool discards them on return.
    /// </summary>
    public const string SessionSql =
        "SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY; SET enable_seqscan = off; SET enable_bitmapscan = off; SET max_parallel_workers_per_gather = 0";

    /// <summary>COPY takes no parameters: the job name is a validated job name and the bounds are numbers and instants, formatted here.</summary>
    internal static string Sql(OutputTableSchema schema, bool withScores, string jobName, PartitionBounds bounds)
    {
        var key = SqlIdentifier.Quote(schema.KeyColumns.Single().Name);
        var conditions = new List<string> { $"job_name = '{jobName.Replace("'", "''", StringComparison.Ordinal)}'" };
        conditions.Add(bounds.WindowStart is { } start
            ? $"window_start = '{DateTime.SpecifyKind(start, DateTimeKind.Utc).ToString("O", CultureInfo.InvariantCulture)}'::timestamptz"
            : "window_start IS NULL");
        if (bounds.KeyFrom is { } from)
            conditions.Add(string.Create(CultureInfo.InvariantCulture, $"{key} >= {from}"));
        if (bounds.KeyTo is { } to)
            conditions.Add(string.Create(CultureInfo.InvariantCulture, $"{key} < {to}"));
        var scores = string.Concat(ScoreColumns(schema, withScores).Select(c => ", " + SqlIdentifier.Quote(c.Name)));
        return $"COPY (SELECT {key}::bigint, input_fingerprint{scores} FROM {schema.Table.Quoted} WHERE {string.Join(" AND ", conditions)} ORDER BY {key}) TO STDOUT (FORMAT BINARY)";
    }
}
