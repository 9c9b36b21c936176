using BatchScoring.Core.Batches;
using BatchScoring.Core.Planning;
using BatchScoring.Core.Scoring;
using BatchScoring.Parquet.Sinks;

namespace BatchScoring.Parquet.Tests;

/// <summary>The Parquet sink's files are laid out by window, appear only when complete, and DuckDB reads them exactly.</summary>
public class ParquetSinkTests
{
    private static readonly ColumnSchema[] SourceColumns =
    [
        new("id", ColumnKind.Int64),
        new("flag", ColumnKind.Boolean),
        new("small", ColumnKind.Int16),
        new("medium", ColumnKind.Int32),
        new("ratio", ColumnKind.Float32),
        new("amount", ColumnKind.Float64),
        new("price", ColumnKind.Decimal),
        new("plan", ColumnKind.Text),
        new("uid", ColumnKind.Uuid),
        new("signup", ColumnKind.Date),
        new("local_time", ColumnKind.Timestamp),
        new("event_time", ColumnKind.TimestampTz),
    ];

    private static readonly ColumnSchema[] ScoreColumns = [new("probability", ColumnKind.Float32)];

    private static readonly PartitionBounds Day1 = new() { WindowStart = new DateTime(2026, 9, 1, 0, 0, 0, DateTimeKind.Utc), WindowEnd = new DateTime(2026, 9, 2, 0, 0, 0, DateTimeKind.Utc) };
    private static readonly PartitionBounds Day2 = new() { WindowStart = new DateTime(2026, 9, 2, 0, 0, 0, DateTimeKind.Utc), WindowEnd = new DateTime(2026, 9, 3, 0, 0, 0, DateTimeKind.Utc) };

    /// <summary>Rows [first, first+count): every source column null on every 5th+k row, all kinds of values.</summary>
    private static ScoredBatch Batch(int first, int count)
    {
        var input = new RowBatch(SourceColumns, count) { Count = count };
        var outputs = new RowBatch(ScoreColumns, count) { Count = count };
        for (var row = 0; row < count; row++)
        {
            var i = first + row;
            input.Column<long>("id").Set(row, i);
            outputs.Column<float>("probability").Set(row, i / 10007f);
            foreach (var column in input.Columns.Skip(1))
            {
                if ((i + column.Name.Length) % 5 == 0)
                {
                    column.Nulls[row] = true;
                    continue;
                }
                switch (column)
                {
                    case BatchColumn<bool> c: c.Set(row, i % 2 == 0); break;
                    case BatchColumn<short> c: c.Set(row, (short)(i % 60000 - 30000)); break;
                    case BatchColumn<int> c: c.Set(row, i * 40503 - 1_000_000_000); break;
                    case BatchColumn<float> c: c.Set(row, i / 3f); break;
                    case BatchColumn<double> c: c.Set(row, i / 7.0 - 100); break;
                    case BatchColumn<decimal> c: c.Set(row, i * 1234.567891m - 99999.5m); break;
                    case BatchColumn<string> c: c.Set(row, i % 3 == 0 ? "" : $"plan-{i % 4}-é"); break;
                    case BatchColumn<Guid> c: c.Set(row, new Guid($"{i:x8}-0000-4000-8000-{i * 7919:x12}")); break;
                    case BatchColumn<DateOnly> c: c.Set(row, new DateOnly(1960, 1, 1).AddDays(i * 3)); break;
                    case BatchColumn<DateTime> c when c.Kind == ColumnKind.Timestamp:
                        c.Set(row, new DateTime(2020, 2, 29, 0, 0, 0, DateTimeKind.Unspecified).AddTicks(i * 36_000_012_340L)); break;
                    case BatchColumn<DateTime> c: c.Set(row, new DateTime(2026, 9, 1, 0, 0, 0, DateTimeKind.Utc).AddTicks(i * 12_345_670L)); break;
                }
            }
        }
        return new ScoredBatch(input, outputs);
    }

    /// <summary>A whole partition, the way the executor writes one: begin, a write per batch, complete.</summary>
    private static async Task<string> WritePartitionAsync(ParquetPartitionSink sink, long runId, long partitionId, PartitionBounds bounds,
        string modelVersion, IAsyncEnumerable<ScoredBatch> batches, CancellationToken cancellationToken)
    {
        await using var file = await sink.BeginPartitionAsync(new SinkPartition(runId, partitionId, bounds, modelVersion, "job"), cancellationToken);
        await foreach (var batch in batches.WithCancellation(cancellationToken))
            await file.WriteAsync(batch, cancellationToken);
        return await file.CompleteAsync(cancellationToken);
    }

    private static async IAsyncEnumerable<ScoredBatch> Batches(int first, int count, int size)
    {
        for (var start = first; start < first + count; start += size)
        {
            await Task.Yield();
            yield return Batch(start, Math.Min(size, first + count - start));
        }
    }

    [Fact]
    public async Task Partitions_are_written_by_window_and_DuckDB_reads_them_exactly()
    {
        using var folder = new TempFolder();
        var sink = new ParquetPartitionSink(folder.Path, SourceColumns, ScoreColumns, rowGroupRows: 1000);
        var first = await WritePartitionAsync(sink, 7, 101, Day1, "churn@3", Batches(0, 2500, 700), CancellationToken.None);
        await WritePartitionAsync(sink, 7, 102, Day1, "churn@3", Batches(2500, 10, 700), CancellationToken.None);
        await WritePartitionAsync(sink, 7, 103, Day2, "churn@3", Batches(2510, 1490, 300), CancellationToken.None);
        await sink.CompleteRunAsync(7, [Day1, Day1, Day2], CancellationToken.None);

        Assert.Equal(Path.Combine(folder.Path, "window_start=2026-09-01", "part-101.parquet"), first);
        Assert.Equal(
            ["_SUCCESS", "window_start=2026-09-01/_SUCCESS", "window_start=2026-09-01/part-101.parquet", "window_start=2026-09-01/part-102.parquet",
             "window_start=2026-09-02/_SUCCESS", "window_start=2026-09-02/part-103.parquet"],
            Directory.EnumerateFiles(folder.Path, "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(folder.Path, f)).Order(StringComparer.Ordinal));
        Assert.StartsWith("run_id=7\n", File.ReadAllText(Path.Combine(folder.Path, "_SUCCESS")));

        using var duck = new DuckDb();
        var rows = duck.Query($"SELECT * FROM read_parquet('{folder.Path}/**/*.parquet', hive_partitioning = true) ORDER BY id");
        Assert.Equal(4000, rows.Count);
        var expected = RowBatch.Concat(SourceColumns, [Batch(0, 4000).Input]);
        for (var row = 0; row < 4000; row++)
        {
            foreach (var column in expected.Columns)
            {
                var want = ParquetInteropReadTests.Normalize(column.GetBoxed(row));
                var got = ParquetInteropReadTests.Normalize(rows[row][column.Name]);
                if (!Equals(want, got))
                    Assert.Fail($"Row {row} column {column.Name}: we wrote {want}, DuckDB reads {got}.");
            }
            Assert.Equal(row / 10007f, rows[row]["probability"]);
            Assert.Equal("churn@3", rows[row]["model_version"]);
            Assert.Equal(7L, rows[row]["run_id"]);
            Assert.Equal("job", rows[row]["job_name"]);
            Assert.Equal(row < 2500 ? 101L : row < 2510 ? 102L : 103L, rows[row]["partition_id"]);
        }
        var windows = duck.Query($"SELECT window_start::VARCHAR AS w, count(*) AS n FROM read_parquet('{folder.Path}/**/*.parquet', hive_partitioning = true) GROUP BY 1 ORDER BY 1");
        Assert.Equal([("2026-09-01", 2510L), ("2026-09-02", 1490L)], windows.Select(r => ((string)r["w"]!, Convert.ToInt64(r["n"]))));

        var ourRead = SourceReading.Source(folder.Path);
        var plan = await ourRead.PlanAsync(null, Core.Jobs.PartitioningSpec.Default, CancellationToken.None);
        Assert.Equal(3, plan.Count);
        Assert.Equal(ColumnKind.Date, (await ourRead.DescribeAsync(CancellationToken.None)).Single(c => c.Name == "window_start").Kind);
    }

    [Fact]
    public async Task An_unfinished_partition_leaves_no_file_and_a_retry_replaces_the_earlier_attempt()
    {
        using var folder = new TempFolder();
        var sink = new ParquetPartitionSink(folder.Path, SourceColumns, ScoreColumns);
        await using (var abandoned = await sink.BeginPartitionAsync(new SinkPartition(8, 5, Day1, "m@1", "job"), CancellationToken.None))
        {
            await abandoned.WriteAsync(Batch(0, 100), CancellationToken.None);
            Assert.Empty(Directory.EnumerateFiles(folder.Path, "*.parquet", SearchOption.AllDirectories));
        }
        Assert.Empty(Directory.EnumerateFiles(folder.Path, "*", SearchOption.AllDirectories));

        await WritePartitionAsync(sink, 8, 5, Day1, "m@1", Batches(0, 100, 50), CancellationToken.None);
        await WritePartitionAsync(sink, 8, 5, Day1, "m@1", Batches(0, 60, 50), CancellationToken.None);
        using var duck = new DuckDb();
        var count = duck.Query($"SELECT count(*) AS n FROM read_parquet('{folder.Path}/**/*.parquet')");
        Assert.Equal(60L, Convert.ToInt64(count[0]["n"]));
        Assert.Single(Directory.EnumerateFiles(folder.Path, "*", SearchOption.AllDirectories));
    }
}
