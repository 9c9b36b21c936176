using BatchScoring.Core.Errors;
using BatchScoring.Core.Jobs;
using BatchScoring.Core.Planning;

namespace BatchScoring.Parquet.Tests;

/// <summary>Each file's schema is checked against the job before its rows are read; a misfit fails that file alone, naming it and the column.</summary>
public class ParquetFileSchemaCheckTests
{
    [Fact]
    public async Task A_file_lacking_the_key_or_holding_a_column_of_another_type_fails_alone_with_its_path_and_the_column()
    {
        using var folder = new TempFolder();
        using var duck = new DuckDb();
        duck.Execute($"COPY (SELECT i::BIGINT AS id, i * 0.5 AS amount FROM range(0, 100) t(i)) TO '{folder.File("a.parquet")}' (FORMAT PARQUET)");
        duck.Execute($"COPY (SELECT i * 0.5 AS amount FROM range(0, 100) t(i)) TO '{folder.File("b.parquet")}' (FORMAT PARQUET)");
        duck.Execute($"COPY (SELECT i::BIGINT AS id, (i * 0.5)::VARCHAR AS amount FROM range(0, 100) t(i)) TO '{folder.File("c.parquet")}' (FORMAT PARQUET)");
        var source = SourceReading.Source(folder.Path);
        var columns = await source.DescribeAsync(CancellationToken.None);
        var plan = (await source.PlanAsync(null, PartitioningSpec.Default, CancellationToken.None)).ToDictionary(p => p.Bounds.File!);

        Assert.Equal(100, (await SourceReading.ReadAllAsync(source, columns, plan["a.parquet"].Bounds)).Count);
        var lacking = await Assert.ThrowsAsync<SchemaMismatchException>(() => SourceReading.ReadAllAsync(source, columns, plan["b.parquet"].Bounds));
        Assert.Equal($"Parquet file {folder.File("b.parquet")} does not fit the job: it lacks key column 'id'.", lacking.Message);
        var mistyped = await Assert.ThrowsAsync<SchemaMismatchException>(() => SourceReading.ReadAllAsync(source, columns, plan["c.parquet"].Bounds));
        Assert.StartsWith($"Parquet file {folder.File("c.parquet")} does not fit the job: column 'amount' is parquet", mistyped.Message);
        Assert.Contains("UTF8 here but parquet", mistyped.Message);
    }

    [Fact]
    public async Task A_file_lacking_the_timestamp_column_of_a_windowed_partition_fails_naming_it()
    {
        using var folder = new TempFolder();
        using var duck = new DuckDb();
        duck.Execute($"COPY (SELECT i::BIGINT AS id FROM range(0, 10) t(i)) TO '{folder.File("a.parquet")}' (FORMAT PARQUET)");
        var source = SourceReading.Source(folder.Path, timestampColumn: "event_time");
        var columns = await source.DescribeAsync(CancellationToken.None);
        var bounds = new Core.Scoring.PartitionBounds
        {
            File = "a.parquet", WindowStart = new DateTime(2024, 1, 1, 0, 0, 0, DateTimeKind.Utc), WindowEnd = new DateTime(2024, 1, 2, 0, 0, 0, DateTimeKind.Utc),
        };

        var e = await Assert.ThrowsAsync<SchemaMismatchException>(() => SourceReading.ReadAllAsync(source, columns, bounds));
        Assert.Equal($"Parquet file {folder.File("a.parquet")} does not fit the job: it lacks timestamp column 'event_time'.", e.Message);
    }
}
