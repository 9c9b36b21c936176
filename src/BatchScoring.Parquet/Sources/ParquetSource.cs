using System.Runtime.CompilerServices;
using BatchScoring.Core.Batches;
using BatchScoring.Core.Errors;
using BatchScoring.Core.Jobs;
using BatchScoring.Core.Paths;
using BatchScoring.Core.Planning;
using BatchScoring.Core.Runs;
using BatchScoring.Core.Scoring;
using BatchScoring.Parquet.Schema;
using Parquet;
using Parquet.Schema;

namespace BatchScoring.Parquet.Sources;

/// <summary>
/// A Parquet file, folder, glob or Hive-style partitioned folder. A partition is one file, or a range of
/// row groups of a file with more than <see cref="RowsPerPartition"/> rows; its <see cref="PartitionBounds.File"/>
/// is relative to the source root, so its Hive values come from that path. Rows are read row group by row
/// group, column by column, once the file's schema fits the job (<see cref="ParquetFileSchemaCheck"/>). A file
/// that cannot be read, or does not fit, fails only the partitions that read it, with its path.
/// Every file read must be inside <paramref name="paths"/> (relative source paths start at its base root).
/// </summary>
public sealed class ParquetSource(ParquetSourceSpec spec, ContainedPaths paths, long rowsPerPartition = ParquetSource.DefaultRowsPerPartition) : IBatchSource
{
    public const long DefaultRowsPerPartition = 1_000_000;
    private static readonly ParquetOptions ReadOptions = new() { UseDateOnlyTypeForDates = true };

    /// <summary>A source whose path is trusted (written by the caller, not a job file): any file may be read, relative paths start at the working directory.</summary>
    public ParquetSource(ParquetSourceSpec spec, long rowsPerPartition = DefaultRowsPerPartition)
        : this(spec, new ContainedPaths("the file system", [Environment.CurrentDirectory, Path.GetPathRoot(Environment.CurrentDirectory)!]), rowsPerPartition)
    {
    }

    public long RowsPerPartition { get; } = rowsPerPartition;

    public async Task<IReadOnlyList<ColumnSchema>> DescribeAsync(CancellationToken cancellationToken)
    {
        var files = ParquetFileSet.Resolve(spec.Path, paths);
        var hive = HiveColumns.Infer(files.Files);
        Exception? firstError = null;
        foreach (var file in files.Files)
        {
            var path = files.FullPath(file.RelativePath);
            try
            {
                await using var reader = await ParquetReader.CreateAsync(path, ReadOptions, cancellationToken);
                var columns = reader.Schema.Fields.OfType<DataField>()
                    .Select(f => ParquetTypeMap.KindOf(f) is { } kind ? new ColumnSchema(f.Name, kind, ParquetTypeMap.Describe(f)) : null)
                    .OfType<ColumnSchema>()
                    .ToList();
                columns.AddRange(hive.Where(h => columns.All(c => c.Name != h.Name)));
                return columns;
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                firstError ??= Unreadable(path, e);
            }
        }
        throw firstError!;
    }

    public async Task<SourceStatistics> StatisticsAsync(TimeWindow? window, PartitioningSpec partitioning, CancellationToken cancellationToken)
    {
        if (window is not null && spec.TimestampColumn is null)
            throw new BatchScoringException($"A window was asked for but Parquet source {spec.Path} has no timestamp_column.");
        var files = ParquetFileSet.Resolve(spec.Path, paths);
        var hiveDate = HiveWindowColumn(files.Files, window);
        var result = new List<FileStatistics>();
        foreach (var file in files.Files)
        {
            if (window is not null && hiveDate is not null)
            {
                if (!CoversWindow(file, hiveDate, window))
                    continue;
                result.Add(await FileStatisticsAsync(files, file, null, cancellationToken));
            }
            else
                result.Add(await FileStatisticsAsync(files, file, window, cancellationToken));
        }
        return new SourceStatistics.Files(result, RowsPerPartition);
    }

    public async IAsyncEnumerable<RowBatch> ReadAsync(
        IReadOnlyList<ColumnSchema> columns, PartitionBounds bounds, int batchSize, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var relative = bounds.File ?? throw new ArgumentException("A Parquet partition names its file.", nameof(bounds));
        var path = Path.GetFullPath(Path.Combine(ParquetFileSet.Root(Path.GetFullPath(spec.Path, paths.BaseRoot)), relative));
        paths.Check(path, $"Parquet source '{spec.Path}': file {relative}");
        var hiveValues = ParquetFileSet.HiveValues(relative).ToDictionary(v => v.Key, v => v.Value, StringComparer.Ordinal);
        var rowFilter = bounds.WindowStart is { } start && bounds.WindowEnd is { } end
            ? new RowWindowFilter(spec.TimestampColumn ?? throw new BatchScoringException($"Parquet source {spec.Path} has no timestamp_column for a window."), start, end)
            : null;

        var reader = await OpenAsync(path, cancellationToken);
        await using (reader)
        {
            ParquetFileSchemaCheck.Verify(reader.Schema, columns, hiveValues.Keys, spec.KeyColumns, rowFilter?.Column, path);
            var first = bounds.RowGroupStart ?? 0;
            var last = bounds.RowGroupEnd ?? reader.RowGroupCount;
            for (var group = first; group < last; group++)
            {
                var chunk = await ReadRowGroupAsync(reader, group, columns, hiveValues, rowFilter, path, cancellationToken);
                for (var offset = 0; offset < chunk.Count; offset += batchSize)
                {
                    var batch = new RowBatch(columns, Math.Min(batchSize, chunk.Count - offset));
                    foreach (var column in batch.Columns)
                        chunk[column.Name].CopyTo(offset, column, 0, batch.Capacity);
                    batch.Count = batch.Capacity;
                    yield return batch;
                }
            }
        }
    }

    private async Task<FileStatistics> FileStatisticsAsync(
        ParquetFileSetContents files, ParquetDataFile file, TimeWindow? window, CancellationToken cancellationToken)
    {
        ParquetReader reader;
        try
        {
            reader = await ParquetReader.CreateAsync(files.FullPath(file.RelativePath), ReadOptions, cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // The file still gets its partition: reading it fails that partition alone, with the reason.
            return new FileStatistics(file.RelativePath, window, null, []);
        }
        await using (reader)
        {
            var timestamp = spec.TimestampColumn is { } name ? reader.Schema.DataFields.FirstOrDefault(f => f.Name == name) : null;
            var groups = new List<RowGroupRows>();
            for (var g = 0; g < reader.RowGroupCount; g++)
            {
                using var group = reader.OpenRowGroupReader(g);
                if (window is null || timestamp is null || RowGroupStatistics.MayOverlap(group, timestamp, window))
                    groups.Add(new RowGroupRows(g, group.RowCount));
            }
            return new FileStatistics(file.RelativePath, window, reader.RowGroupCount, groups);
        }
    }

    /// <summary>The Hive date column that is the timestamp column, when a window is to be cut by folders instead of rows.</summary>
    private string? HiveWindowColumn(IReadOnlyList<ParquetDataFile> files, TimeWindow? window)
    {
        if (window is null || spec.TimestampColumn is not { } name)
            return null;
        var hive = HiveColumns.Infer(files).FirstOrDefault(c => c.Name == name);
        if (hive is null)
            return null;
        if (hive.Kind != ColumnKind.Date)
            throw new BatchScoringException($"Parquet source {spec.Path}: timestamp_column '{name}' is a Hive folder whose values are not dates (yyyy-MM-dd).");
        return name;
    }

    private static bool CoversWindow(ParquetDataFile file, string column, TimeWindow window)
    {
        var value = file.HiveValues.FirstOrDefault(v => v.Key == column).Value;
        if (value is null || !HiveColumns.TryDate(value, out var date))
            return false;
        var dayStart = date.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc);
        return dayStart < window.EndUtc && dayStart.AddDays(1) > window.StartUtc;
    }

    private static async Task<ParquetReader> OpenAsync(string path, CancellationToken cancellationToken)
    {
        try
        {
            return await ParquetReader.CreateAsync(path, ReadOptions, cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            throw Unreadable(path, e);
        }
    }

    private static async Task<RowBatch> ReadRowGroupAsync(ParquetReader reader, int index, IReadOnlyList<ColumnSchema> columns,
        IReadOnlyDictionary<string, string> hiveValues, RowWindowFilter? filter, string path, CancellationToken cancellationToken)
    {
        try
        {
            using var group = reader.OpenRowGroupReader(index);
            var rows = checked((int)group.RowCount);
            var read = new List<BatchColumn>(columns.Count);
            foreach (var column in columns)
            {
                try
                {
                    read.Add(await ReadColumnAsync(reader, group, column, hiveValues, rows, cancellationToken));
                }
                catch (Exception e) when (e is not OperationCanceledException and not BatchScoringException)
                {
                    throw new BatchScoringException($"Parquet file {path}, row group {index}, column '{column.Name}': {ParquetFileDamage.Reason(e)}", e);
                }
            }
            var chunk = new RowBatch(read) { Count = rows };
            if (filter is null)
                return chunk;
            var timestamp = chunk.TryGetColumn(filter.Column, out var present) ? present
                : await ReadColumnAsync(reader, group, TimestampSchema(reader, filter.Column, path), hiveValues, rows, cancellationToken);
            return filter.Apply(chunk, timestamp);
        }
        catch (Exception e) when (e is not OperationCanceledException and not BatchScoringException)
        {
            throw new BatchScoringException($"Parquet file {path}, row group {index}: {ParquetFileDamage.Reason(e)}", e);
        }
    }

    private static ColumnSchema TimestampSchema(ParquetReader reader, string name, string path)
    {
        var field = reader.Schema.DataFields.FirstOrDefault(f => f.Name == name)
            ?? throw new BatchScoringException($"Parquet file {path} has no timestamp column '{name}'.");
        var kind = ParquetTypeMap.KindOf(field);
        if (kind is not (ColumnKind.Timestamp or ColumnKind.TimestampTz or ColumnKind.Date))
            throw new BatchScoringException($"Parquet file {path}: timestamp column '{name}' is {ParquetTypeMap.Describe(field)}, not a timestamp or date.");
        return new ColumnSchema(name, kind.Value, ParquetTypeMap.Describe(field));
    }

    private static async Task<BatchColumn> ReadColumnAsync(ParquetReader reader, ParquetRowGroupReader group, ColumnSchema column,
        IReadOnlyDictionary<string, string> hiveValues, int rows, CancellationToken cancellationToken)
    {
        var field = reader.Schema.DataFields.FirstOrDefault(f => f.Name == column.Name);
        if (field is null)
        {
            // A Hive value (the schema check let no other missing column through): constant for every row.
            var constant = BatchColumn.Create(column, rows);
            HiveColumns.Fill(constant, hiveValues.GetValueOrDefault(column.Name), rows);
            return constant;
        }
        return await ParquetColumnReader.ReadAsync(group, field, column, rows, cancellationToken);
    }

    private static BatchScoringException Unreadable(string path, Exception e)
        => ParquetFileDamage.Describe(path, e);
}
