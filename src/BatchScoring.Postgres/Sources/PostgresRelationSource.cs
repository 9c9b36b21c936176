using System.Globalization;
using System.Runtime.CompilerServices;
using BatchScoring.Core.Batches;
using BatchScoring.Core.Errors;
using BatchScoring.Core.Jobs;
using BatchScoring.Core.Planning;
using BatchScoring.Core.Runs;
using BatchScoring.Core.Scoring;
using BatchScoring.Core.Sql;
using BatchScoring.Postgres.Copy;
using Npgsql;

namespace BatchScoring.Postgres.Sources;

/// <summary>
/// A PostgreSQL table or read-only query, streamed with binary <c>COPY (SELECT …) TO STDOUT</c> into
/// columnar batches. Every read runs in a READ ONLY transaction in UTC; a partition's time slice and
/// key range or hash bucket are pushed into the query as a WHERE clause. For planning it reports the rows (and the
/// integer key's minimum and maximum) of each time slice; <see cref="PartitionPlanner"/> turns them into partitions. With a single integer key those are key ranges, so each partition reads
/// one stretch of keys and writes them into the output table's primary key in order — inserting hash buckets,
/// whose keys interleave across the whole key space, made the output index's insertions cost about twice as much
/// (docs/BENCHMARKS.md). Other keys are bucketed by a hash.
/// </summary>
public sealed class PostgresRelationSource : IBatchSource, IChangeTrackingSource
{
    private readonly NpgsqlDataSource _dataSource;
    private readonly string _relation;
    private readonly string _description;
    private readonly IReadOnlyList<string> _keyColumns;
    private readonly string? _timestampColumn;
    private readonly SourceLimits _limits;
    private readonly string? _query;
    private readonly string? _table;

    private PostgresRelationSource(NpgsqlDataSource dataSource, string relation, string description, SourceSpec spec, SourceLimits limits,
        string? query = null, string? table = null)
    {
        _dataSource = dataSource;
        _relation = relation;
        _table = table;
        _description = description;
        _keyColumns = spec.KeyColumns;
        _timestampColumn = spec.TimestampColumn;
        _limits = limits;
        _query = query;
    }

    /// <summary>The quoted table of a table source; null for a query.</summary>
    internal string? Table => _table;

    internal string Relation => _relation;

    internal IReadOnlyList<string> KeyColumns => _keyColumns;

    public static PostgresRelationSource ForTable(NpgsqlDataSource dataSource, PostgresTableSourceSpec spec, SourceLimits? limits = null)
        => new(dataSource, spec.Table.Quoted, $"table {spec.Table}", spec, limits ?? SourceLimits.Default, table: spec.Table.Quoted);

    /// <summary>The query is wrapped as a subquery only after <see cref="SourceQueryValidator"/> found it one SELECT.</summary>
    public static PostgresRelationSource ForQuery(NpgsqlDataSource dataSource, PostgresQuerySourceSpec spec, SourceLimits? limits = null)
    {
        var query = spec.Query.Trim().TrimEnd(';');
        return new(dataSource, SourceQueryValidator.Wrap(query), "the source query", spec, limits ?? SourceLimits.Default, query);
    }

    /// <summary>A read-only session; for a query source, the query is validated in it before the session is used.</summary>
    private async Task<ReadOnlySession> OpenSessionAsync(CancellationToken cancellationToken, bool repeatableRead = false)
    {
        var session = await ReadOnlySession.OpenAsync(_dataSource, _limits, cancellationToken, repeatableRead);
        try
        {
            if (_query is not null)
                await SourceQueryValidator.ValidateAsync(session.Connection, _query, _limits.JobName, cancellationToken);
            return session;
        }
        catch
        {
            await session.DisposeAsync();
            throw;
        }
    }

    public Task<IReadOnlyList<ColumnSchema>> DescribeAsync(CancellationToken cancellationToken) => DatabaseCalls.RunAsync<IReadOnlyList<ColumnSchema>>(async () =>
    {
        await using var session = await OpenSessionAsync(cancellationToken);
        await using var command = session.Command($"SELECT * FROM {_relation} LIMIT 0");
        try
        {
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            var result = new List<ColumnSchema>();
            foreach (var column in reader.GetColumnSchema())
            {
                var type = column.PostgresType is Npgsql.PostgresTypes.PostgresDomainType domain ? domain.BaseType : column.PostgresType;
                if (type is not null && PostgresTypeMap.KindOf(type.InternalName) is { } kind)
                    result.Add(new ColumnSchema(column.ColumnName, kind, column.DataTypeName));
            }
            return result;
        }
        catch (PostgresException e)
        {
            throw SourceTimeout.Error(e, _limits, $"describing {_description}", $"Cannot read {_description}: {e.MessageText}");
        }
    });

    public Task<SourceStatistics> StatisticsAsync(TimeWindow? window, PartitioningSpec partitioning, CancellationToken cancellationToken) => DatabaseCalls.RunAsync<SourceStatistics>(async () =>
    {
        var buckets = _keyColumns.Count > 0 ? Math.Max(1, partitioning.Buckets) : 1;
        if (window is not null && _timestampColumn is null)
            throw new BatchScoringException($"A window was asked for but {_description} has no timestamp_column.");
        var rangeKey = buckets > 1 ? await IntegerKeyAsync(cancellationToken) : null;
        if (_timestampColumn is null || (window is null && partitioning.Grain is null))
            return new SourceStatistics.Unsliced(buckets, await StatsAsync(rangeKey, cancellationToken));

        return new SourceStatistics.Sliced(window, partitioning.Grain, buckets, await SliceStatisticsAsync(window, partitioning.Grain, rangeKey, cancellationToken));
    });

    public async IAsyncEnumerable<RowBatch> ReadAsync(
        IReadOnlyList<ColumnSchema> columns, PartitionBounds bounds, int batchSize, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var session = await OpenSessionAsync(cancellationToken);
        var failed = true;
        try
        {
            await foreach (var batch in CopyAsync(session, await SelectAsync(session, columns, bounds, cancellationToken), columns, bounds, batchSize, cancellationToken))
                yield return batch;
            failed = false;
        }
        finally
        {
            await DisposeAsync(session, failed);
        }
    }

    public async Task<IPartitionRead> BeginReadAsync(IReadOnlyList<ColumnSchema> columns, PartitionBounds bounds, long salt, CancellationToken cancellationToken)
    {
        var session = await OpenSessionAsync(cancellationToken, repeatableRead: true);
        try
        {
            return await PostgresPartitionRead.OpenAsync(this, session, columns, bounds, salt, cancellationToken);
        }
        catch
        {
            await DisposeAsync(session, failed: true);
            throw;
        }
    }

    /// <summary>The rows of one <c>SELECT</c> of a partition, with binary COPY in the session.</summary>
    internal async IAsyncEnumerable<RowBatch> CopyAsync(ReadOnlySession session, string select, IReadOnlyList<ColumnSchema> columns, PartitionBounds bounds,
        int batchSize, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        NpgsqlRawCopyStream? copy = null;
        var failed = true;
        try
        {
            var sql = $"COPY ({select}) TO STDOUT (FORMAT BINARY)";
            copy = await WrapErrorsAsync(() => session.Connection.BeginRawBinaryCopyAsync(sql, cancellationToken), bounds);
            var reader = new BinaryCopyReader(copy);
            while (true)
            {
                var batch = new RowBatch(columns, batchSize);
                if (!await WrapErrorsAsync(() => reader.FillAsync(batch, cancellationToken), bounds))
                    break;
                yield return batch;
            }
            failed = false;
        }
        finally
        {
            try
            {
                if (copy is not null)
                    await copy.DisposeAsync();
            }
            catch (Exception) when (failed)
            {
                // After a failure, closing the broken COPY throws too; that must not hide the error that broke it.
            }
        }
    }

    /// <summary>The query whose rows a partition reads, in key order when <see cref="PartitionBounds.InKeyOrder"/>.</summary>
    internal async Task<string> SelectAsync(ReadOnlySession session, IReadOnlyList<ColumnSchema> columns, PartitionBounds bounds, CancellationToken cancellationToken)
    {
        var order = bounds.InKeyOrder && _keyColumns.Count > 0 ? " ORDER BY " + string.Join(", ", _keyColumns.Select(SqlIdentifier.Quote)) : "";
        var nullKeys = bounds is { IsKeyRange: true, KeyFrom: null, KeyTo: not null } && !await KeyIsNotNullAsync(session, cancellationToken);
        return $"SELECT {SelectList(columns)} FROM {_relation} WHERE {Predicate(bounds, nullKeys)}{order}";
    }

    /// <summary>An error in the middle of a COPY names the source; the COPY itself is then beyond saving.</summary>
    internal async Task<T> WrapErrorsAsync<T>(Func<Task<T>> action, PartitionBounds bounds)
    {
        try
        {
            return await action();
        }
        catch (PostgresException e)
        {
            throw SourceTimeout.Error(e, _limits, $"reading partition {bounds.Key} of {_description}", $"Cannot read {_description}: {e.MessageText}");
        }
    }

    /// <summary>After a failure, ending the session may throw too; that must not hide the error.</summary>
    internal static async Task DisposeAsync(ReadOnlySession session, bool failed)
    {
        try
        {
            await session.DisposeAsync();
        }
        catch (Exception) when (failed)
        {
        }
    }

    /// <summary>
    /// The columns as COPY sends them. Text columns are cast to text, which drops the padding of
    /// <c>char(n)</c> (insignificant in PostgreSQL: <c>'ab'::char(4) = 'ab'</c>) and is a no-op for text and varchar.
    /// </summary>
    internal static string SelectList(IReadOnlyList<ColumnSchema> columns)
        => string.Join(", ", columns.Select(c => c.Kind == ColumnKind.Text
            ? $"{SqlIdentifier.Quote(c.Name)}::text AS {SqlIdentifier.Quote(c.Name)}"
            : SqlIdentifier.Quote(c.Name)));

    /// <summary>The WHERE clause of a partition. COPY takes no parameters, so values are literals we format ourselves.</summary>
    /// <param name="nullKeys">The first key range also holds the null keys, so that they are read (and dead-lettered) rather than lost between ranges.</param>
    internal string Predicate(PartitionBounds bounds, bool nullKeys)
    {
        var conditions = new List<string>();
        if (bounds.WindowStart is { } start && bounds.WindowEnd is { } end)
        {
            var column = SqlIdentifier.Quote(_timestampColumn ?? throw new BatchScoringException($"{_description} has no timestamp_column for a time slice."));
            conditions.Add($"{column} >= {Literal(start)} AND {column} < {Literal(end)}");
        }
        if (bounds.TimestampIsNull)
            conditions.Add($"{SqlIdentifier.Quote(_timestampColumn ?? throw new BatchScoringException($"{_description} has no timestamp_column."))} IS NULL");
        if (bounds.IsKeyRange)
        {
            var key = SqlIdentifier.Quote(_keyColumns.Single());
            if (bounds.KeyFrom is { } from)
                conditions.Add($"{key} >= {from.ToString(CultureInfo.InvariantCulture)}");
            if (bounds.KeyTo is { } to)
                conditions.Add(nullKeys
                    ? $"({key} < {to.ToString(CultureInfo.InvariantCulture)} OR {key} IS NULL)"
                    : $"{key} < {to.ToString(CultureInfo.InvariantCulture)}");
        }
        else if (bounds.HashBuckets > 1)
            conditions.Add($"{BucketExpression(bounds.HashBuckets)} = {bounds.HashBucket.ToString(CultureInfo.InvariantCulture)}");
        return conditions.Count == 0 ? "true" : string.Join(" AND ", conditions);
    }

    /// <summary>
    /// Whether the source is a table whose key column is declared NOT NULL, so that the first key range need not ask for
    /// null keys. Unordered, the <c>OR key IS NULL</c> costs little; in key order (<c>output.skip_unchanged</c>) it turns
    /// the primary key's range scan into a bitmap scan and a sort, which must finish before the first row leaves. A
    /// query's or a view's column can be null (an outer join) whatever its table declares, so only tables are asked.
    /// </summary>
    private async Task<bool> KeyIsNotNullAsync(ReadOnlySession session, CancellationToken cancellationToken)
    {
        if (_table is null)
            return false;
        await using var command = session.Command(
            "SELECT a.attnotnull FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid "
            + "WHERE a.attrelid = to_regclass($1) AND a.attname = $2 AND c.relkind IN ('r', 'p')");
        command.Parameters.Add(new NpgsqlParameter { Value = _table });
        command.Parameters.Add(new NpgsqlParameter { Value = _keyColumns.Single() });
        return await command.ExecuteScalarAsync(cancellationToken) is true;
    }

    private string BucketExpression(int buckets)
    {
        var keys = string.Join(", ", _keyColumns.Select(k => SqlIdentifier.Quote(k) + "::text"));
        return $"((hashtext(concat_ws('|', {keys})) & 2147483647) % {buckets.ToString(CultureInfo.InvariantCulture)})";
    }

    private static string Literal(DateTime instant)
        => "'" + DateTime.SpecifyKind(instant, DateTimeKind.Utc).ToString("yyyy-MM-dd HH:mm:ss.ffffff", CultureInfo.InvariantCulture) + "+00'";

    /// <summary>The quoted key column when the source has exactly one key and it is an integer, else null.</summary>
    private async Task<string?> IntegerKeyAsync(CancellationToken cancellationToken)
    {
        if (_keyColumns.Count != 1)
            return null;
        var key = (await DescribeAsync(cancellationToken)).FirstOrDefault(c => c.Name == _keyColumns[0]);
        return key?.Kind is ColumnKind.Int16 or ColumnKind.Int32 or ColumnKind.Int64 ? SqlIdentifier.Quote(key.Name) : null;
    }

    private static string StatsColumns(string? rangeKey) => rangeKey is null ? "count(*), NULL::bigint, NULL::bigint" : $"count(*), min({rangeKey})::bigint, max({rangeKey})::bigint";

    private static KeyStatistics ReadStats(NpgsqlDataReader reader, int first)
        => new(reader.GetInt64(first), reader.IsDBNull(first + 1) ? null : reader.GetInt64(first + 1), reader.IsDBNull(first + 2) ? null : reader.GetInt64(first + 2));

    /// <summary>
    /// Statistics per slice start. Slices are cut from the window start (or the Unix epoch for the
    /// whole source), matching <see cref="TimeSlices.Split"/>; without a grain the window is one slice.
    /// Without a window, the rows whose timestamp is null are counted apart (they belong to no slice).
    /// </summary>
    private async Task<SliceStatistics> SliceStatisticsAsync(TimeWindow? window, TimeSpan? grain, string? rangeKey, CancellationToken cancellationToken)
    {
        var ts = SqlIdentifier.Quote(_timestampColumn!);
        var origin = window?.StartUtc ?? DateTime.UnixEpoch;
        var originSeconds = ((origin - DateTime.UnixEpoch).Ticks / TimeSpan.TicksPerSecond).ToString(CultureInfo.InvariantCulture);
        var slice = grain is { } g
            ? $"to_timestamp({originSeconds} + floor((extract(epoch FROM {ts}) - {originSeconds}) / {Seconds(g)}) * {Seconds(g)})"
            : Literal(origin) + "::timestamptz";
        var where = window is null ? "true" : $"{ts} >= {Literal(window.StartUtc)} AND {ts} < {Literal(window.EndUtc)}";
        var result = new Dictionary<DateTime, KeyStatistics>();
        KeyStatistics? nullTimestamps = null;
        await QueryStatsAsync($"SELECT {slice} AS slice, {StatsColumns(rangeKey)} FROM {_relation} WHERE {where} GROUP BY 1", reader =>
        {
            if (reader.IsDBNull(0))
                nullTimestamps = ReadStats(reader, 1);
            else
                result[reader.GetFieldValue<DateTime>(0)] = ReadStats(reader, 1);
        }, cancellationToken);
        return new SliceStatistics(result, nullTimestamps);
    }

    private static string Seconds(TimeSpan span) => span.TotalSeconds.ToString(CultureInfo.InvariantCulture);

    /// <summary>
    /// The rows (and key range) of a source without time slices. Of a table that was analyzed or vacuumed, the rows are
    /// PostgreSQL's own estimate, as its planner makes it (<c>reltuples</c> per page times the pages the table has now):
    /// they only size the progress shown and the dry run, and counting them cost every run a scan of the table (37 ms
    /// on 1M rows, 0.15–0.7 s on 5M). The key's minimum and maximum come from its index.
    /// </summary>
    private async Task<KeyStatistics> StatsAsync(string? rangeKey, CancellationToken cancellationToken)
    {
        var stats = KeyStatistics.Empty;
        var sql = _table is null
            ? $"SELECT {StatsColumns(rangeKey)} FROM {_relation}"
            : $"""
              SELECT coalesce(({EstimatedRowsSql(_table)}), (SELECT count(*) FROM {_relation})),
                  {(rangeKey is null ? "NULL::bigint, NULL::bigint" : $"(SELECT min({rangeKey})::bigint FROM {_relation}), (SELECT max({rangeKey})::bigint FROM {_relation})")}
              """;
        await QueryStatsAsync(sql, reader => stats = ReadStats(reader, 0), cancellationToken);
        return stats;
    }

    /// <summary>The planner's row estimate of a plain table, or null before its first ANALYZE or VACUUM (or when it had no page then and has some now).</summary>
    private static string EstimatedRowsSql(string table) => $"""
        SELECT CASE WHEN c.relpages > 0
                    THEN round(c.reltuples / c.relpages * (pg_relation_size(c.oid) / current_setting('block_size')::int))::bigint
                    WHEN pg_relation_size(c.oid) = 0 THEN 0 END
        FROM pg_class c WHERE c.oid = to_regclass('{table.Replace("'", "''", StringComparison.Ordinal)}') AND c.relkind = 'r' AND c.reltuples >= 0
        """;

    private async Task QueryStatsAsync(string sql, Action<NpgsqlDataReader> read, CancellationToken cancellationToken)
    {
        await using var session = await OpenSessionAsync(cancellationToken);
        await using var command = session.Command(sql);
        try
        {
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
                read(reader);
        }
        catch (PostgresException e)
        {
            throw SourceTimeout.Error(e, _limits, $"planning {_description}", $"Cannot plan {_description}: {e.MessageText}");
        }
    }
}
