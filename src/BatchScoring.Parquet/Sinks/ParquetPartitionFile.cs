using BatchScoring.Core.Batches;
using BatchScoring.Core.Errors;
using BatchScoring.Core.Scoring;
using Parquet;
using Parquet.Schema;

namespace BatchScoring.Parquet.Sinks;

/// <summary>
/// One partition's output file while it is written: rows go to a hidden temporary file next to the final
/// one, in row groups of a bounded size; <see cref="CompleteAsync"/> renames it into place, so readers
/// never see a half-written file. Disposing an incomplete file deletes it.
/// </summary>
public sealed class ParquetPartitionFile : IPartitionSinkWriter
{
    /// <summary>
    /// The lineage columns but <c>window_start</c>: the Hive folder <c>window_start=…</c> holds it, and a column of the
    /// same name in the file would clash with that partition key in readers (DuckDB, Spark, our Parquet source).
    /// </summary>
    internal static readonly IReadOnlyList<ColumnSchema> Lineage = LineageColumns.All.Where(c => c != LineageColumns.WindowStart).ToArray();

    private readonly string _finalPath;
    private readonly string _temporaryPath;
    private readonly FileStream _stream;
    private readonly ParquetWriter _writer;
    private readonly DataField[] _fields;
    private readonly IReadOnlyList<ColumnSchema> _sourceColumns;
    private readonly IReadOnlyList<ColumnSchema> _scoreColumns;
    private readonly RowBatch _pending;
    private readonly SinkPartition _partition;
    private readonly DateTime _scoredAt = DateTime.SpecifyKind(DateTime.UtcNow, DateTimeKind.Utc);
    private bool _closed;

    private ParquetPartitionFile(string finalPath, string temporaryPath, FileStream stream, ParquetWriter writer, DataField[] fields,
        IReadOnlyList<ColumnSchema> allColumns, IReadOnlyList<ColumnSchema> sourceColumns, IReadOnlyList<ColumnSchema> scoreColumns,
        int rowGroupRows, SinkPartition partition)
    {
        _finalPath = finalPath;
        _temporaryPath = temporaryPath;
        _stream = stream;
        _writer = writer;
        _fields = fields;
        _sourceColumns = sourceColumns;
        _scoreColumns = scoreColumns;
        _pending = new RowBatch(allColumns, rowGroupRows);
        _partition = partition;
    }

    public long RowsWritten { get; private set; }

    internal static async Task<ParquetPartitionFile> CreateAsync(string finalPath, IReadOnlyList<ColumnSchema> sourceColumns,
        IReadOnlyList<ColumnSchema> scoreColumns, int rowGroupRows, SinkPartition partition, CancellationToken cancellationToken)
    {
        var folder = Path.GetDirectoryName(finalPath)!;
        Directory.CreateDirectory(folder);
        // An earlier attempt of this partition that was killed mid-write left its temporary file; this attempt replaces it.
        ParquetTemporaryFiles.RemoveEarlierAttempts(finalPath);
        var temporaryPath = ParquetTemporaryFiles.NewPath(finalPath);
        IReadOnlyList<ColumnSchema> all = [.. sourceColumns, .. scoreColumns, .. Lineage];
        var fields = all.Select(ParquetColumnWriter.Field).ToArray();
        var stream = new FileStream(temporaryPath, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None);
        try
        {
            var writer = await ParquetWriter.CreateAsync(new ParquetSchema(fields), stream, null, false, cancellationToken);
            return new ParquetPartitionFile(finalPath, temporaryPath, stream, writer, fields, all, sourceColumns, scoreColumns,
                rowGroupRows, partition);
        }
        catch
        {
            await stream.DisposeAsync();
            File.Delete(temporaryPath);
            throw;
        }
    }

    public async Task WriteAsync(ScoredBatch batch, CancellationToken cancellationToken)
    {
        if (_closed)
            throw new InvalidOperationException($"{_finalPath} is already complete.");
        var sources = _sourceColumns.Select(c => batch.Input[c.Name]).Concat(_scoreColumns.Select(c => batch.Outputs[c.Name])).ToArray();
        var copied = 0;
        while (copied < batch.Count)
        {
            var take = Math.Min(batch.Count - copied, _pending.Capacity - _pending.Count);
            for (var c = 0; c < sources.Length; c++)
                sources[c].CopyTo(copied, _pending.Columns[c], _pending.Count, take);
            FillLineage(_pending.Count, take);
            _pending.Count += take;
            copied += take;
            if (_pending.Count == _pending.Capacity)
                await FlushAsync(cancellationToken);
        }
    }

    /// <summary>Writes the last row group, closes the file and renames it to its final name (replacing an earlier attempt's file).</summary>
    public async Task<string> CompleteAsync(CancellationToken cancellationToken)
    {
        if (_pending.Count > 0 || RowsWritten == 0)
            await FlushAsync(cancellationToken);
        await CloseAsync();
        File.Move(_temporaryPath, _finalPath, overwrite: true);
        return _finalPath;
    }

    Task IPartitionSinkWriter.CompleteAsync(CancellationToken cancellationToken) => CompleteAsync(cancellationToken);

    public async ValueTask DisposeAsync()
    {
        if (_closed)
            return;
        await CloseAsync();
        File.Delete(_temporaryPath);
    }

    private void FillLineage(int start, int count)
    {
        var lineage = _pending.Columns.Count - Lineage.Count;
        var version = (BatchColumn<string>)_pending.Columns[lineage];
        var run = (BatchColumn<long>)_pending.Columns[lineage + 1];
        var partition = (BatchColumn<long>)_pending.Columns[lineage + 2];
        var scoredAt = (BatchColumn<DateTime>)_pending.Columns[lineage + 3];
        var job = (BatchColumn<string>)_pending.Columns[lineage + 4];
        for (var row = start; row < start + count; row++)
        {
            version.Set(row, _partition.ModelVersion);
            run.Set(row, _partition.RunId);
            partition.Set(row, _partition.PartitionId);
            scoredAt.Set(row, _scoredAt);
            job.Set(row, _partition.JobName);
        }
    }

    private async Task FlushAsync(CancellationToken cancellationToken)
    {
        try
        {
            using var group = _writer.CreateRowGroup();
            for (var c = 0; c < _fields.Length; c++)
                await ParquetColumnWriter.WriteAsync(group, _fields[c], _pending.Columns[c], _pending.Count, cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            throw new BatchScoringException($"Cannot write Parquet file {_finalPath}: {e.Message}", e);
        }
        RowsWritten += _pending.Count;
        _pending.Count = 0;
    }

    private async Task CloseAsync()
    {
        _closed = true;
        await _writer.DisposeAsync();
        await _stream.DisposeAsync();
    }
}
