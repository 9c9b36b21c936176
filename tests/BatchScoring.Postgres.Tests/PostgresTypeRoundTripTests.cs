using BatchScoring.Core.Batches;
using BatchScoring.Core.Jobs;
using BatchScoring.Core.Scoring;
using BatchScoring.Core.Sql;
using BatchScoring.Postgres.Copy;
using BatchScoring.Postgres.Output;
using BatchScoring.Postgres.Sinks;
using BatchScoring.Postgres.Sources;
using BatchScoring.Testing;
using Dapper;

namespace BatchScoring.Postgres.Tests;

/// <summary>Every supported PostgreSQL type, nulls included: COPY in, read back through the source, and out through the sink as passthrough.</summary>
public class PostgresTypeRoundTripTests(PostgresDatabase database) : IClassFixture<PostgresDatabase>
{
    private const int Rows = 500;

    private static readonly (string Name, string SqlType, ColumnKind Kind)[] Columns =
    [
        ("c_smallint", "smallint", ColumnKind.Int16),
        ("c_integer", "integer", ColumnKind.Int32),
        ("c_bigint", "bigint", ColumnKind.Int64),
        ("c_real", "real", ColumnKind.Float32),
        ("c_double", "double precision", ColumnKind.Float64),
        ("c_numeric", "numeric", ColumnKind.Decimal),
        ("c_numeric_scaled", "numeric(14,4)", ColumnKind.Decimal),
        ("c_boolean", "boolean", ColumnKind.Boolean),
        ("c_text", "text", ColumnKind.Text),
        ("c_varchar", "varchar(40)", ColumnKind.Text),
        ("c_char", "char(8)", ColumnKind.Text),
        ("c_uuid", "uuid", ColumnKind.Uuid),
        ("c_date", "date", ColumnKind.Date),
        ("c_timestamp", "timestamp", ColumnKind.Timestamp),
        ("c_timestamptz", "timestamptz", ColumnKind.TimestampTz),
    ];

    /// <summary>Row i: every column null when (i + column index) % 7 == 0, else a value that probes the type's edges.</summary>
    private static RowBatch Written()
    {
        var schema = Columns.Select(c => new ColumnSchema(c.Name, c.Kind)).Prepend(new ColumnSchema("id", ColumnKind.Int64)).ToArray();
        var batch = new RowBatch(schema, Rows) { Count = Rows };
        for (var i = 0; i < Rows; i++)
        {
            batch.Column<long>("id").Set(i, i);
            for (var k = 0; k < Columns.Length; k++)
            {
                var column = batch[Columns[k].Name];
                if ((i + k) % 7 == 0)
                {
                    column.Nulls[i] = true;
                    continue;
                }
                var edge = i % 5;
                switch (Columns[k].Name)
                {
                    case "c_smallint": ((BatchColumn<short>)column).Set(i, edge switch { 0 => short.MinValue, 1 => short.MaxValue, _ => (short)(i - 250) }); break;
                    case "c_integer": ((BatchColumn<int>)column).Set(i, edge switch { 0 => int.MinValue, 1 => int.MaxValue, _ => i * 4_000_037 - 999_999_999 }); break;
                    case "c_bigint": ((BatchColumn<long>)column).Set(i, edge switch { 0 => long.MinValue, 1 => long.MaxValue, _ => i * 18_014_398_509_481L }); break;
                    case "c_real": ((BatchColumn<float>)column).Set(i, edge switch { 0 => float.MaxValue, 1 => float.Epsilon, 2 => float.NaN, _ => i / 3f }); break;
                    case "c_double": ((BatchColumn<double>)column).Set(i, edge switch { 0 => double.MinValue, 1 => double.PositiveInfinity, 2 => -0.0 + 1e-300, _ => i / 7.0 }); break;
                    case "c_numeric": ((BatchColumn<decimal>)column).Set(i, edge switch { 0 => 79228162514264337593543950335m, 1 => -0.0000000000000000000000000001m, 2 => 0m, _ => i * 1234567.891011m }); break;
                    case "c_numeric_scaled": ((BatchColumn<decimal>)column).Set(i, edge switch { 0 => 9999999999.9999m, 1 => -9999999999.9999m, _ => i * 0.0625m }); break;
                    case "c_boolean": ((BatchColumn<bool>)column).Set(i, i % 2 == 0); break;
                    case "c_text": ((BatchColumn<string>)column).Set(i, edge switch { 0 => "", 1 => "  padded  ", 2 => "ünïcødé ✓ 日本", _ => $"text {i}\n\ttab" }); break;
                    case "c_varchar": ((BatchColumn<string>)column).Set(i, edge switch { 0 => "", 1 => new string('v', 40), _ => $"v{i} " }); break;
                    case "c_char": ((BatchColumn<string>)column).Set(i, edge switch { 0 => "", 1 => "12345678", _ => $"c{i}" }); break;
                    case "c_uuid": ((BatchColumn<Guid>)column).Set(i, edge == 0 ? Guid.Empty : new Guid($"{i:x8}-1234-4abc-8def-{i * 104729:x12}")); break;
                    case "c_date": ((BatchColumn<DateOnly>)column).Set(i, edge switch { 0 => DateOnly.MinValue, 1 => DateOnly.MaxValue, _ => new DateOnly(2000, 2, 29).AddDays(i * 37 - 9000) }); break;
                    case "c_timestamp": ((BatchColumn<DateTime>)column).Set(i, edge switch
                    {
                        0 => new DateTime(1, 1, 1, 0, 0, 0, DateTimeKind.Unspecified),
                        1 => new DateTime(9999, 12, 31, 23, 59, 59, 999, 999, DateTimeKind.Unspecified),
                        _ => new DateTime(1969, 12, 31, 23, 0, 0, DateTimeKind.Unspecified).AddTicks(i * 123_456_789_10L),
                    }); break;
                    case "c_timestamptz": ((BatchColumn<DateTime>)column).Set(i, edge switch
                    {
                        0 => new DateTime(1900, 1, 1, 0, 0, 0, DateTimeKind.Utc),
                        _ => new DateTime(2026, 3, 29, 0, 59, 59, DateTimeKind.Utc).AddTicks(i * 98_765_432_10L),
                    }); break;
                }
            }
        }
        return batch;
    }

    [Fact]
    public async Task Every_type_round_trips_exactly_through_the_source_and_the_sink_nulls_included()
    {
        await using var connection = await database.DataSource.OpenConnectionAsync();
        await connection.ExecuteAsync($"CREATE TABLE all_types (id bigint PRIMARY KEY, {string.Join(", ", Columns.Select(c => $"{c.Name} {c.SqlType}"))})");
        var written = Written();
        Assert.Equal((ulong)Rows, await BinaryCopyWriter.CopyAsync(connection, "all_types", new[] { written }.ToAsyncEnumerable(), CancellationToken.None));
        await AssertStoredAsync(connection, written);

        var source = PostgresRelationSource.ForTable(database.DataSource, new PostgresTableSourceSpec(SqlIdentifier.Parse("all_types"), ["id"]));
        var schema = await source.DescribeAsync(CancellationToken.None);
        Assert.Equal(written.Schema.Select(c => (c.Name, c.Kind)), schema.Select(c => (c.Name, c.Kind)));
        Assert.Equal("character", schema.Single(c => c.Name == "c_char").SourceType);

        var batches = new List<RowBatch>();
        await foreach (var batch in source.ReadAsync(schema, PartitionBounds.Everything, 128, CancellationToken.None))
            batches.Add(batch);
        var read = RowBatch.Concat(schema, batches);
        Assert.Equal(Rows, read.Count);
        var byId = Enumerable.Range(0, Rows).ToDictionary(r => read.Column<long>("id").Values[r]);
        for (var i = 0; i < Rows; i++)
        {
            foreach (var column in written.Columns)
            {
                var expected = column.GetBoxed(i);
                var actual = read[column.Name].GetBoxed(byId[i]);
                if (!Equals(expected, actual))
                    Assert.Fail($"Row {i} column {column.Name}: wrote {expected ?? "null"}, read {actual ?? "null"}.");
            }
            if (!read["c_timestamptz"].IsNull(byId[i]))
                Assert.Equal(DateTimeKind.Utc, read.Column<DateTime>("c_timestamptz").Values[byId[i]].Kind);
            if (!read["c_timestamp"].IsNull(byId[i]))
                Assert.Equal(DateTimeKind.Unspecified, read.Column<DateTime>("c_timestamp").Values[byId[i]].Kind);
        }

        // Out through the sink, every column as a passthrough column.
        var output = new OutputTableSchema(SqlIdentifier.Parse("scored.all_types_out"), OutputMode.Upsert,
            [schema[0]], schema.Skip(1).ToArray(), [new ColumnSchema("score", ColumnKind.Float32)]);
        await output.EnsureAsync(database.DataSource, CancellationToken.None);
        await using (var transaction = await connection.BeginTransactionAsync())
        {
            await using var writer = await TableSinkWriter.BeginAsync(connection, transaction, output, new SinkPartition(1, 1, PartitionBounds.Everything, "m@1", "job"), OutputWrite.Merge, spooled: false, CancellationToken.None);
            foreach (var batch in batches)
            {
                var scores = new RowBatch([new ColumnSchema("score", ColumnKind.Float32)], batch.Count) { Count = batch.Count };
                for (var row = 0; row < batch.Count; row++)
                    scores.Column<float>("score").Set(row, batch.Column<long>("id").Values[row] / 1000f);
                await writer.WriteAsync(new ScoredBatch(batch, scores), CancellationToken.None);
            }
            Assert.Equal(Rows, await writer.CompleteAsync(CancellationToken.None));
            await transaction.CommitAsync();
        }
        var differences = await connection.ExecuteScalarAsync<long>($"""
            SELECT count(*) FROM all_types a FULL JOIN scored.all_types_out o USING (id)
            WHERE {string.Join(" OR ", Columns.Select(c => c.Name == "c_char"
                ? $"a.{c.Name}::text IS DISTINCT FROM o.{c.Name}"
                : $"a.{c.Name} IS DISTINCT FROM o.{c.Name}"))}
            """);
        Assert.Equal(0, differences);
        Assert.Equal(Rows, await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM scored.all_types_out WHERE score = (id / 1000.0)::real AND run_id = 1 AND model_version = 'm@1'"));
    }

    [Theory]
    [InlineData("1e40")]
    [InlineData("'NaN'")]
    [InlineData("0.00000000000000000000000000000001234")]
    public async Task A_numeric_outside_decimal_range_marks_its_row_unreadable_naming_the_column(string value)
    {
        await using var connection = await database.DataSource.OpenConnectionAsync();
        var table = "wide_" + Guid.NewGuid().ToString("N")[..8];
        await connection.ExecuteAsync($"CREATE TABLE {table} (id int, big_amount numeric); INSERT INTO {table} VALUES (1, 1.5), (2, {value}), (3, 2.5)");
        var source = PostgresRelationSource.ForQuery(database.DataSource, new PostgresQuerySourceSpec($"SELECT * FROM {table} ORDER BY id", ["id"]));
        var schema = await source.DescribeAsync(CancellationToken.None);

        var batches = await source.ReadAsync(schema, PartitionBounds.Everything, 10, CancellationToken.None).ToListAsync();

        var batch = Assert.Single(batches);
        Assert.Equal(3, batch.Count);
        var bad = Assert.Single(batch.Unreadable!);
        Assert.Equal((1, "big_amount", "read"), (bad.Row, bad.Column, bad.Stage));
        Assert.Contains("'big_amount' (numeric)", bad.Reason);
        Assert.Contains("decimal", bad.Reason);
        Assert.True(batch["big_amount"].IsNull(1));
        Assert.Equal([1.5m, 2.5m], new[] { batch.Column<decimal>("big_amount").Values[0], batch.Column<decimal>("big_amount").Values[2] });
    }

    [Theory]
    [InlineData("'NaN'::numeric", "NaN")]
    [InlineData("1e30::numeric", "beyond decimal's range")]
    [InlineData("0.1234567890123456789012345678901::numeric", "decimal places")]
    public async Task A_numeric_that_does_not_fit_a_decimal_is_refused_naming_the_column(string value, string reason)
    {
        var source = PostgresRelationSource.ForQuery(database.DataSource, new PostgresQuerySourceSpec($"SELECT 1::bigint AS id, {value} AS amount", ["id"]));
        var columns = await source.DescribeAsync(CancellationToken.None);

        var batch = Assert.Single(await source.ReadAsync(columns, PartitionBounds.Everything, 10, CancellationToken.None).ToListAsync());

        var bad = Assert.Single(batch.Unreadable!);
        Assert.Contains("column 'amount' (numeric)", bad.Reason);
        Assert.Contains("at most 28 decimal places", bad.Reason);
        Assert.Contains(reason, bad.Reason);
    }

    [Fact]
    public async Task A_value_the_column_cannot_take_fails_the_copy_and_leaves_no_row()
    {
        await using var connection = await database.DataSource.OpenConnectionAsync();
        await connection.ExecuteAsync("CREATE TABLE instants (id bigint, at timestamptz)");
        var schema = new[] { new ColumnSchema("id", ColumnKind.Int64), new ColumnSchema("at", ColumnKind.TimestampTz) };
        var good = new RowBatch(schema, 2) { Count = 2 };
        var bad = new RowBatch(schema, 1) { Count = 1 };
        for (var row = 0; row < 2; row++)
        {
            good.Column<long>("id").Set(row, row);
            good.Column<DateTime>("at").Set(row, new DateTime(2026, 1, 1, 0, 0, row, DateTimeKind.Utc));
        }
        bad.Column<long>("id").Set(0, 9);
        bad.Column<DateTime>("at").Set(0, new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Unspecified));

        var e = await Assert.ThrowsAsync<InvalidCastException>(
            () => BinaryCopyWriter.CopyAsync(connection, "instants", new[] { good, bad }.ToAsyncEnumerable(), CancellationToken.None));
        Assert.Contains("Kind=Unspecified", e.Message);
        Assert.Equal(0, await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM instants"));
        Assert.Equal(2ul, await BinaryCopyWriter.CopyAsync(connection, "instants", new[] { good }.ToAsyncEnumerable(), CancellationToken.None));
    }

    /// <summary>
    /// What the server stored, read back by Npgsql's own decoding (an ordinary query, not COPY), equals what was
    /// written: our COPY encoder and decoder could otherwise agree with each other and both be wrong.
    /// </summary>
    private static async Task AssertStoredAsync(Npgsql.NpgsqlConnection connection, RowBatch written)
    {
        await using var command = new Npgsql.NpgsqlCommand($"SELECT id, {string.Join(", ", Columns.Select(c => c.Name))} FROM all_types ORDER BY id", connection);
        await using var reader = await command.ExecuteReaderAsync();
        var row = 0;
        while (await reader.ReadAsync())
        {
            for (var k = 0; k < Columns.Length; k++)
            {
                var expected = written[Columns[k].Name].GetBoxed(row);
                object? actual = reader.IsDBNull(k + 1) ? null : Columns[k].Kind switch
                {
                    ColumnKind.Date => reader.GetFieldValue<DateOnly>(k + 1),
                    ColumnKind.Text => reader.GetString(k + 1).TrimEnd(),
                    _ => reader.GetValue(k + 1),
                };
                if (expected is string text)
                    expected = text.TrimEnd();
                if (!Equals(expected, actual))
                    Assert.Fail($"Row {row} column {Columns[k].Name}: wrote {expected ?? "null"}, the server holds {actual ?? "null"}.");
            }
            row++;
        }
        Assert.Equal(Rows, row);
    }
}
