using BatchScoring.Core.Batches;
using BatchScoring.Core.Errors;
using BatchScoring.Core.Jobs;
using BatchScoring.Core.Planning;
using BatchScoring.Core.Runs;
using BatchScoring.Core.Scoring;

namespace BatchScoring.Parquet.Tests;

/// <summary>Files, folders, globs and Hive-style folders become partitions; windows cut them; a broken file fails alone.</summary>
public class ParquetSourceLayoutTests
{
    private static readonly DateTime Day1 = new(2024, 1, 1, 0, 0, 0, DateTimeKind.Utc);

    /// <summary>3 days × 400 rows, Hive-partitioned by <c>day</c> with DuckDB's PARTITION_BY.</summary>
    private static void WriteHiveFolder(DuckDb duck, string folder)
        => duck.Execute($"""
            COPY (SELECT i::BIGINT AS id, (DATE '2024-01-01' + (i % 3)::INTEGER) AS day, i * 0.5 AS amount,
                         TIMESTAMPTZ '2024-01-01 00:00:00+00' + to_microseconds(i * 1000) AS event_time
                  FROM range(0, 1200) t(i))
            TO '{folder}' (FORMAT PARQUET, PARTITION_BY (day))
            """);

    [Fact]
    public async Task Hive_folders_become_one_partition_each_and_their_value_a_column()
    {
        using var folder = new TempFolder();
        using var duck = new DuckDb();
        WriteHiveFolder(duck, folder.Path);
        File.WriteAllText(Path.Combine(folder.Path, "_SUCCESS"), "");

        var source = SourceReading.Source(folder.Path);
        var schema = await source.DescribeAsync(CancellationToken.None);
        var day = Assert.Single(schema, c => c.Name == "day");
        Assert.Equal(ColumnKind.Date, day.Kind);
        Assert.Contains("hive", day.SourceType);

        var plan = await source.PlanAsync(null, PartitioningSpec.Default, CancellationToken.None);
        Assert.Equal(["day=2024-01-01", "day=2024-01-02", "day=2024-01-03"], plan.Select(p => Path.GetDirectoryName(p.Bounds.File)));
        Assert.All(plan, p => Assert.Equal(400, p.EstimatedRows));

        var ids = new List<long>();
        foreach (var partition in plan)
        {
            var read = await SourceReading.ReadAllAsync(source, schema, partition.Bounds, batchSize: 128);
            var folderDay = DateOnly.Parse(Path.GetDirectoryName(partition.Bounds.File)!["day=".Length..]);
            Assert.Equal(400, read.Count);
            for (var row = 0; row < read.Count; row++)
            {
                Assert.Equal(folderDay, read.Column<DateOnly>("day").Values[row]);
                Assert.Equal(read.Column<long>("id").Values[row] % 3, folderDay.DayNumber - new DateOnly(2024, 1, 1).DayNumber);
            }
            ids.AddRange(read.Column<long>("id").Values.Take(read.Count));
        }
        Assert.Equal(Enumerable.Range(0, 1200).Select(i => (long)i), ids.Order());
    }

    [Fact]
    public async Task A_window_on_a_Hive_date_folder_keeps_only_its_folders()
    {
        using var folder = new TempFolder();
        using var duck = new DuckDb();
        WriteHiveFolder(duck, folder.Path);

        var source = SourceReading.Source(folder.Path, timestampColumn: "day");
        var plan = await source.PlanAsync(new TimeWindow(Day1.AddDays(1), Day1.AddDays(3)), PartitioningSpec.Default, CancellationToken.None);
        Assert.Equal(["day=2024-01-02", "day=2024-01-03"], plan.Select(p => Path.GetDirectoryName(p.Bounds.File)));
    }

    [Fact]
    public async Task A_glob_selects_files_across_folders()
    {
        using var folder = new TempFolder();
        using var duck = new DuckDb();
        WriteHiveFolder(duck, folder.Path);

        var all = await SourceReading.Source(Path.Combine(folder.Path, "**", "*.parquet")).PlanAsync(null, PartitioningSpec.Default, CancellationToken.None);
        Assert.Equal(3, all.Count);
        var one = await SourceReading.Source(Path.Combine(folder.Path, "day=*-02", "*.parquet")).PlanAsync(null, PartitioningSpec.Default, CancellationToken.None);
        Assert.StartsWith("day=2024-01-02/", Assert.Single(one).Bounds.File);
    }

    [Fact]
    public async Task A_timestamp_window_skips_row_groups_by_statistics_and_filters_rows()
    {
        using var folder = new TempFolder();
        using var duck = new DuckDb();
        var path = folder.File("events.parquet");
        duck.Execute($"""
            COPY (SELECT i::BIGINT AS id, TIMESTAMPTZ '2024-01-01 00:00:00+00' + to_microseconds(i * 60000000) AS event_time
                  FROM range(0, 10000) t(i))
            TO '{path}' (FORMAT PARQUET, ROW_GROUP_SIZE 2048)
            """);
        var window = new TimeWindow(Day1.AddDays(2), Day1.AddDays(3));
        var source = SourceReading.Source(path, timestampColumn: "event_time", rowsPerPartition: 2048);
        var plan = await source.PlanAsync(window, PartitioningSpec.Default, CancellationToken.None);
        var groups = plan.Sum(p => p.Bounds.RowGroupEnd!.Value - p.Bounds.RowGroupStart!.Value);
        Assert.InRange(groups, 1, 2);

        var schema = await source.DescribeAsync(CancellationToken.None);
        var ids = new List<long>();
        foreach (var partition in plan)
        {
            Assert.Equal(window.StartUtc, partition.Bounds.WindowStart);
            var read = await SourceReading.ReadAllAsync(source, schema, partition.Bounds);
            ids.AddRange(read.Column<long>("id").Values.Take(read.Count));
        }
        var expected = duck.Query($"""
            SELECT id FROM read_parquet('{path}')
            WHERE event_time >= TIMESTAMPTZ '2024-01-03 00:00:00+00' AND event_time < TIMESTAMPTZ '2024-01-04 00:00:00+00' ORDER BY id
            """).Select(r => (long)r["id"]!);
        Assert.Equal(expected, ids.Order());
        Assert.Equal(1440, ids.Count);
    }

    [Fact]
    public async Task A_big_file_is_split_into_row_group_ranges_that_cover_it_once()
    {
        using var folder = new TempFolder();
        using var duck = new DuckDb();
        var path = folder.File("big.parquet");
        duck.Execute($"COPY (SELECT i::BIGINT AS id FROM range(0, 10000) t(i)) TO '{path}' (FORMAT PARQUET, ROW_GROUP_SIZE 2048)");

        var source = SourceReading.Source(path, rowsPerPartition: 4096);
        var plan = await source.PlanAsync(null, PartitioningSpec.Default, CancellationToken.None);
        Assert.True(plan.Count >= 2);
        Assert.Equal(plan.Count, plan.Select(p => p.Bounds.Key).Distinct().Count());
        Assert.All(plan, p => Assert.InRange(p.EstimatedRows!.Value, 1, 4096));
        var schema = await source.DescribeAsync(CancellationToken.None);
        var ids = new List<long>();
        foreach (var partition in plan)
        {
            var read = await SourceReading.ReadAllAsync(source, schema, partition.Bounds);
            ids.AddRange(read.Column<long>("id").Values.Take(read.Count));
        }
        Assert.Equal(Enumerable.Range(0, 10000).Select(i => (long)i), ids.Order());
    }

    [Fact]
    public async Task A_truncated_file_fails_its_partition_with_its_path_while_the_others_read()
    {
        using var folder = new TempFolder();
        using var duck = new DuckDb();
        foreach (var name in new[] { "a", "b", "c" })
            duck.Execute($"COPY (SELECT i::BIGINT AS id, md5(i::VARCHAR) AS text FROM range(0, 3000) t(i)) TO '{folder.File(name + ".parquet")}' (FORMAT PARQUET)");
        var broken = Path.Combine(folder.Path, "b.parquet");
        var bytes = File.ReadAllBytes(broken);
        File.WriteAllBytes(broken, bytes[..(bytes.Length / 2)]);

        var source = SourceReading.Source(folder.Path);
        var schema = await source.DescribeAsync(CancellationToken.None);
        var plan = await source.PlanAsync(null, PartitioningSpec.Default, CancellationToken.None);
        Assert.Equal(["a.parquet", "b.parquet", "c.parquet"], plan.Select(p => p.Bounds.File));

        foreach (var partition in plan.Where(p => p.Bounds.File != "b.parquet"))
            Assert.Equal(3000, (await SourceReading.ReadAllAsync(source, schema, partition.Bounds)).Count);
        var error = await Assert.ThrowsAsync<BatchScoringException>(
            () => SourceReading.ReadAllAsync(source, schema, plan.Single(p => p.Bounds.File == "b.parquet").Bounds));
        Assert.Contains(broken, error.Message);
        Assert.NotNull(error.InnerException);
    }

    [Fact]
    public async Task A_column_that_cannot_feed_the_model_is_reported_with_its_parquet_type_before_reading()
    {
        using var folder = new TempFolder();
        using var duck = new DuckDb();
        var path = folder.File("features.parquet");
        duck.Execute($"COPY (SELECT 1::BIGINT AS id, 'gold' AS plan, 2.5::DOUBLE AS tenure) TO '{path}' (FORMAT PARQUET)");
        var schema = await SourceReading.Source(path).DescribeAsync(CancellationToken.None);

        var error = Assert.Throws<SchemaMismatchException>(() => InputBinder.Bind("churn", path, schema,
            [new ModelInput("plan_level", ColumnKind.Float32), new ModelInput("tenure", ColumnKind.Float32)],
            new Dictionary<string, string> { ["plan_level"] = "plan" }));
        Assert.Contains("'plan'", error.Message);
        Assert.Contains("parquet optional BYTE_ARRAY UTF8", error.Message);
        Assert.Contains("Float32", error.Message);
    }

    [Fact]
    public async Task A_missing_path_or_a_window_without_timestamp_column_is_a_clear_error()
    {
        using var folder = new TempFolder();
        var missing = Path.Combine(folder.Path, "nowhere", "*.parquet");
        var e = await Assert.ThrowsAsync<BatchScoringException>(() => SourceReading.Source(missing).DescribeAsync(CancellationToken.None));
        Assert.Contains(missing, e.Message);

        using var duck = new DuckDb();
        duck.Execute($"COPY (SELECT 1::BIGINT AS id) TO '{folder.File("one.parquet")}' (FORMAT PARQUET)");
        var windowError = await Assert.ThrowsAsync<BatchScoringException>(() => SourceReading.Source(folder.Path)
            .PlanAsync(new TimeWindow(Day1, Day1.AddDays(1)), PartitioningSpec.Default, CancellationToken.None));
        Assert.Contains("timestamp_column", windowError.Message);
    }
}
