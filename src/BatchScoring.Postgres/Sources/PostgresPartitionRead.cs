using System.Globalization;
using System.IO.Hashing;
using System.Runtime.CompilerServices;
using System.Text;
using BatchScoring.Core.Batches;
using BatchScoring.Core.Scoring;
using BatchScoring.Core.Sql;
using Npgsql;

namespace BatchScoring.Postgres.Sources;

/// <summary>
/// One partition's read of a PostgreSQL table in a REPEATABLE READ, READ ONLY transaction, which can read only the rows
/// written since an earlier read (<see cref="IPartitionRead"/>). Every insert or update gives a row version the writing
/// transaction's id (<c>xmin</c>), and every transaction still running when a snapshot was taken has an id at or above
/// that snapshot's <c>pg_snapshot_xmin</c>: so the rows written since an earlier read are those whose <c>xmin</c> is at
/// or above that read's, compared by <c>age()</c> so that 32-bit ids that wrapped around compare right (the mark is
/// refused past 2^30 transactions). A row version whose <c>xmin</c> is older was visible to the earlier read, as it is
/// now, with the same values, in a plain table; so the mark is given only for a table that is not partitioned and has
/// no children, whose key column is NOT NULL and unique. A frozen row keeps its <c>xmin</c>; a row older than 2^31
/// transactions may compare as new, which costs its reading but never a wrong result. A rewrite of the table (a new
/// file: <c>VACUUM FULL</c>, <c>CLUSTER</c>, <c>ALTER TABLE … TYPE</c>, <c>TRUNCATE</c>) or a column dropped and added
/// again changes the mark's identity, and the next read reads every row.
/// </summary>
internal sealed class PostgresPartitionRead : IPartitionRead
{
    private const long MaxTransactionsSince = 1L << 30;
    private static readonly ColumnSchema KeyColumn = new("key", ColumnKind.Int64);

    private readonly PostgresRelationSource _source;
    private readonly ReadOnlySession _session;
    private readonly IReadOnlyList<ColumnSchema> _columns;
    private readonly PartitionBounds _bounds;
    private readonly long _nextTransaction;
    private bool _failed;

    private PostgresPartitionRead(PostgresRelationSource source, ReadOnlySession session, IReadOnlyList<ColumnSchema> columns, PartitionBounds bounds,
        ReadMark? mark, long nextTransaction)
    {
        _source = source;
        _session = session;
        _columns = columns;
        _bounds = bounds;
        Mark = mark;
        _nextTransaction = nextTransaction;
    }

    public ReadMark? Mark { get; }

    /// <summary>Takes the transaction's snapshot, and with it the mark, before any row is read.</summary>
    public static async Task<PostgresPartitionRead> OpenAsync(PostgresRelationSource source, ReadOnlySession session, IReadOnlyList<ColumnSchema> columns,
        PartitionBounds bounds, long salt, CancellationToken cancellationToken)
    {
        var key = source.KeyColumns.Count == 1 && bounds.HashBuckets == 1 ? source.KeyColumns[0] : null;
        await using var command = session.Command($"""
            SELECT pg_snapshot_xmin(s)::text::bigint, pg_snapshot_xmax(s)::text::bigint,
                (SELECT c.oid || '/' || c.relfilenode || '/' || (
                    SELECT string_agg(a.attname || ':' || a.attnum || ':' || a.atttypid || ':' || a.atttypmod, ',' ORDER BY a.attnum)
                    FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped AND a.attname = ANY($2))
                 FROM pg_class c
                 WHERE c.oid = to_regclass($1) AND c.relkind = 'r' AND NOT c.relhassubclass
                   AND EXISTS (SELECT FROM pg_index i JOIN pg_attribute k ON k.attrelid = i.indrelid AND k.attnum = i.indkey[0]
                               WHERE i.indrelid = c.oid AND i.indisunique AND i.indisvalid AND i.indnkeyatts = 1 AND i.indpred IS NULL
                                 AND k.attname = $3 AND k.attnotnull))
            FROM pg_current_snapshot() s
            """);
        command.Parameters.Add(new NpgsqlParameter { Value = (object?)source.Table ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text });
        command.Parameters.Add(new NpgsqlParameter { Value = columns.Select(c => c.Name).ToArray() });
        command.Parameters.Add(new NpgsqlParameter { Value = (object?)key ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text });
        var (transaction, next, table) = await source.WrapErrorsAsync(async () =>
        {
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            await reader.ReadAsync(cancellationToken);
            return (reader.GetInt64(0), reader.GetInt64(1), reader.IsDBNull(2) ? null : reader.GetString(2));
        }, bounds);
        var mark = table is null || key is null
            ? null
            : new ReadMark(transaction, (long)XxHash64.HashToUInt64(
                Encoding.UTF8.GetBytes($"{table}\n{PostgresRelationSource.SelectList(columns)}\n{source.Predicate(bounds, nullKeys: false)}"), salt));
        return new PostgresPartitionRead(source, session, columns, bounds, mark, next);
    }

    public bool CanReadChangedSince(ReadMark since)
        => Mark is { } mark && mark.Identity == since.Identity && since.Transaction <= mark.Transaction && _nextTransaction - since.Transaction < MaxTransactionsSince;

    public async IAsyncEnumerable<RowBatch> ReadAsync(int batchSize, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var batch in CopyAsync(await _source.SelectAsync(_session, _columns, _bounds, cancellationToken), _columns, batchSize, cancellationToken))
            yield return batch;
    }

    public async Task<long[]> KeysAsync(CancellationToken cancellationToken)
    {
        var key = SqlIdentifier.Quote(_source.KeyColumns.Single());
        var keys = new List<long>();
        await foreach (var batch in CopyAsync($"SELECT {key}::bigint FROM {_source.Relation} WHERE {_source.Predicate(_bounds, nullKeys: false)} ORDER BY {key}",
                           [KeyColumn], 65_536, cancellationToken))
            keys.AddRange(((BatchColumn<long>)batch.Columns[0]).Values.AsSpan(0, batch.Count));
        return [.. keys];
    }

    public async IAsyncEnumerable<RowBatch> ReadChangedAsync(ReadMark since, IReadOnlyList<long> keys, int batchSize,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        if (!CanReadChangedSince(since))
            throw new InvalidOperationException("The rows changed since this mark cannot be told apart.");
        var key = SqlIdentifier.Quote(_source.KeyColumns.Single());
        var xid = (since.Transaction & uint.MaxValue).ToString(CultureInfo.InvariantCulture);
        var changed = $"age(xmin) <= age('{xid}'::xid)";
        if (keys.Count > 0)
            changed = $"({changed} OR {key} = ANY('{{{string.Join(',', keys.Select(k => k.ToString(CultureInfo.InvariantCulture)))}}}'::bigint[]))";
        var select = $"SELECT {PostgresRelationSource.SelectList(_columns)} FROM {_source.Relation} WHERE {_source.Predicate(_bounds, nullKeys: false)} AND {changed} ORDER BY {key}";
        await foreach (var batch in CopyAsync(select, _columns, batchSize, cancellationToken))
            yield return batch;
    }

    private async IAsyncEnumerable<RowBatch> CopyAsync(string select, IReadOnlyList<ColumnSchema> columns, int batchSize,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        _failed = true;
        await foreach (var batch in _source.CopyAsync(_session, select, columns, _bounds, batchSize, cancellationToken))
            yield return batch;
        _failed = false;
    }

    public async ValueTask DisposeAsync() => await PostgresRelationSource.DisposeAsync(_session, _failed);
}
