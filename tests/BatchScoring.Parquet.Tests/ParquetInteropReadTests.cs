using BatchScoring.Core.Batches;
using BatchScoring.Core.Planning;
using BatchScoring.Core.Scoring;
using Parquet;
using Parquet.Schema;

namespace BatchScoring.Parquet.Tests;

/// <summary>Files written by DuckDB, with several codecs, encodings and logical types, read exactly as DuckDB reads them.</summary>
public class ParquetInteropReadTests
{
    /// <summary>Every column is null on every k-th row (a different k per column) except the key.</summary>
    private static readonly (string Name, string Expression, ColumnKind Kind)[] Columns =
    [
        ("i8", "(i % 200 - 100)::TINYINT", ColumnKind.Int16),
        ("u8", "(i % 250)::UTINYINT", ColumnKind.Int16),
        ("i16", "(i * 7 - 20000)::SMALLINT", ColumnKind.Int16),
        ("u16", "(i * 11)::USMALLINT", ColumnKind.Int32),
        ("i32", "(i * 100003 - 2000000000)::INTEGER", ColumnKind.Int32),
        ("u32", "(i * 800003)::UINTEGER", ColumnKind.Int64),
        ("i64", "(i * 9000000000017 - 4000000000000000000)::BIGINT", ColumnKind.Int64),
        ("u64", "i::UBIGINT * 3000000000000001::UBIGINT", ColumnKind.Decimal),
        ("f32", "(i / 3.0)::FLOAT", ColumnKind.Float32),
        ("f64", "(i / 7.0)::DOUBLE", ColumnKind.Float64),
        ("dec4", "(i % 100 * 0.25)::DECIMAL(4,2)", ColumnKind.Decimal),
        ("dec18", "(i * 123456.789 - 1000000)::DECIMAL(18,3)", ColumnKind.Decimal),
        ("dec28", "(i * 1234567890123.456789)::DECIMAL(28,6)", ColumnKind.Decimal),
        ("dict_text", "'category-' || (i % 5)", ColumnKind.Text),
        ("plain_text", "md5(i::VARCHAR) || 'é✓'", ColumnKind.Text),
        ("flag", "i % 3 = 0", ColumnKind.Boolean),
        ("day", "DATE '1969-12-25' + (i % 20000)::INTEGER", ColumnKind.Date),
        ("ts_us", "TIMESTAMP '2024-01-01' + to_microseconds(i * 3723123457)", ColumnKind.Timestamp),
        ("ts_ms", "(TIMESTAMP '2024-01-01' + to_milliseconds(i * 3723123))::TIMESTAMP_MS", ColumnKind.Timestamp),
        ("ts_ns", "make_timestamp_ns(1704067200000000000 + i * 3723123456700)", ColumnKind.Timestamp),
        ("ts_tz", "TIMESTAMPTZ '2024-01-01 00:00:00+00' + to_microseconds(i * 3723123457)", ColumnKind.TimestampTz),
        ("id_uuid", "md5(i::VARCHAR)::UUID", ColumnKind.Uuid),
    ];

    [Theory]
    [InlineData("COMPRESSION snappy", "SNAPPY", "PLAIN_DICTIONARY")]
    [InlineData("COMPRESSION gzip, DICTIONARY_SIZE_LIMIT 0", "GZIP", "PLAIN")]
    [InlineData("COMPRESSION zstd, PARQUET_VERSION V2", "ZSTD", "DELTA_BINARY_PACKED")]
    [InlineData("COMPRESSION uncompressed, DICTIONARY_SIZE_LIMIT 0", "UNCOMPRESSED", "PLAIN")]
    [InlineData("COMPRESSION lz4_raw", "LZ4_RAW", "PLAIN_DICTIONARY")]
    [InlineData("COMPRESSION brotli, PARQUET_VERSION V2", "BROTLI", "BYTE_STREAM_SPLIT")]
    [InlineData("COMPRESSION snappy, PARQUET_VERSION V2", "SNAPPY", "RLE_DICTIONARY")]
    public async Task DuckDB_files_are_read_exactly(string options, string codec, string encoding)
    {
        using var folder = new TempFolder();
        using var duck = new DuckDb();
        var path = folder.File("data.parquet");
        var select = string.Join(",\n", Columns.Select((c, k) => $"CASE WHEN i % {k + 3} = 1 THEN NULL ELSE {c.Expression} END AS {c.Name}"));
        duck.Execute($"COPY (SELECT i::BIGINT AS id, {select} FROM range(0, 5000) t(i)) TO '{path}' (FORMAT PARQUET, {options}, ROW_GROUP_SIZE 2048)");

        await using (var file = await ParquetReader.CreateAsync(path))
        {
            var chunks = file.Metadata!.RowGroups.SelectMany(g => g.Columns).Select(c => c.MetaData!).ToArray();
            Assert.All(chunks, c => Assert.Equal(codec, c.Codec.ToString()));
            Assert.Contains(chunks, c => c.Encodings.Select(e => e.ToString()).Contains(encoding));
            Assert.True(file.RowGroupCount > 1);
        }

        var source = SourceReading.Source(path);
        var schema = await source.DescribeAsync(CancellationToken.None);
        Assert.Equal(Columns.Select(c => (c.Name, c.Kind)).Prepend(("id", ColumnKind.Int64)), schema.Select(c => (c.Name, c.Kind)));
        var plan = await source.PlanAsync(null, Core.Jobs.PartitioningSpec.Default, CancellationToken.None);
        var read = await SourceReading.ReadAllAsync(source, schema, Assert.Single(plan).Bounds);

        var expected = duck.Query($"SELECT * FROM read_parquet('{path}')");
        Assert.Equal(expected.Count, read.Count);
        for (var row = 0; row < read.Count; row++)
        {
            foreach (var column in read.Columns)
            {
                var want = Normalize(expected[row][column.Name]);
                var got = Normalize(column.GetBoxed(row));
                if (!Equals(want, got))
                    Assert.Fail($"Row {row} column {column.Name} ({options}): DuckDB reads {want}, we read {got}.");
            }
        }
        Assert.Contains(Enumerable.Range(0, read.Count), r => read["dec28"].IsNull(r));
        Assert.All(Enumerable.Range(0, read.Count).Where(r => !read["ts_tz"].IsNull(r)),
            r => Assert.Equal(DateTimeKind.Utc, read.Column<DateTime>("ts_tz").Values[r].Kind));
    }

    /// <summary>Integers and decimals compare as decimals, instants as ticks, dates as dates: DuckDB.NET and RowBatch use different CLR types for the same value.</summary>
    internal static object? Normalize(object? value) => value switch
    {
        null => null,
        sbyte or byte or short or ushort or int or uint or long or ulong or decimal => Convert.ToDecimal(value),
        System.Numerics.BigInteger big => (decimal)big,
        DateTime instant => instant.Ticks,
        DateTimeOffset instant => instant.UtcTicks,
        _ => value,
    };

    [Fact]
    public async Task Required_columns_read_without_nulls_and_DuckDB_agrees()
    {
        using var folder = new TempFolder();
        var path = folder.File("required.parquet");
        var id = new DataField<long>("id");
        var name = new DataField<string>("name", nullable: false);
        var amount = new DataField<double>("amount");
        await using (var stream = File.Create(path))
        await using (var writer = await ParquetWriter.CreateAsync(new ParquetSchema(id, name, amount), stream))
        {
            using var group = writer.CreateRowGroup();
            await group.WriteAsync<long>(id, Enumerable.Range(0, 1000).Select(i => (long)i).ToArray().AsMemory());
            await group.WriteAsync(name, Enumerable.Range(0, 1000).Select(i => "n" + i).ToArray());
            await group.WriteAsync<double>(amount, Enumerable.Range(0, 1000).Select(i => i * 0.5).ToArray().AsMemory());
        }

        var source = SourceReading.Source(path);
        var schema = await source.DescribeAsync(CancellationToken.None);
        Assert.StartsWith("parquet required", schema.Single(c => c.Name == "name").SourceType);
        var read = await SourceReading.ReadAllAsync(source, schema, PartitionBounds.Everything with { File = "required.parquet" });
        Assert.Equal(1000, read.Count);
        Assert.DoesNotContain(true, read["amount"].Nulls.Take(read.Count));
        Assert.Equal("n999", read.Column<string>("name").Values[999]);
        Assert.Equal(499.5, read.Column<double>("amount").Values[999]);

        using var duck = new DuckDb();
        var row = Assert.Single(duck.Query($"SELECT * FROM read_parquet('{path}') WHERE id = 999"));
        Assert.Equal("n999", row["name"]);
        Assert.Equal(499.5, row["amount"]);
    }
}
