using System.Globalization;
using BatchScoring.Core.Batches;
using BatchScoring.Core.Scoring;

namespace BatchScoring.Parquet.Sinks;

/// <summary>
/// Writes scored partitions as Parquet files under <paramref name="folder"/>, laid out Hive-style by window
/// (see <see cref="ParquetOutputLayout"/>): key and passthrough columns (<paramref name="sourceColumns"/>, taken
/// from the source batch), the model's <paramref name="scoreColumns"/>, then the lineage columns
/// (<see cref="LineageColumns"/>, but window_start, which the folder names). One file per partition, renamed into place when complete; a retried partition replaces its file.
/// Safe to share between worker slots: each call writes its own file.
/// </summary>
public sealed class ParquetPartitionSink(
    string folder, IReadOnlyList<ColumnSchema> sourceColumns, IReadOnlyList<ColumnSchema> scoreColumns, int rowGroupRows = 100_000) : IPartitionSink
{
    public string Folder { get; } = Path.GetFullPath(folder);

    /// <summary>Starts a partition's file; call <see cref="ParquetPartitionFile.WriteAsync"/> per batch, then <see cref="ParquetPartitionFile.CompleteAsync"/>.</summary>
    public Task<ParquetPartitionFile> BeginPartitionAsync(SinkPartition partition, CancellationToken cancellationToken)
        => ParquetPartitionFile.CreateAsync(ParquetOutputLayout.PartitionFile(Folder, partition.PartitionId, partition.Bounds), sourceColumns, scoreColumns,
            rowGroupRows, partition, cancellationToken);

    async Task<IPartitionSinkWriter> IPartitionSink.BeginPartitionAsync(SinkPartition partition, CancellationToken cancellationToken)
        => await BeginPartitionAsync(partition, cancellationToken);

    /// <summary>
    /// Marks a finished run: writes <c>_SUCCESS</c> (naming the run) into every window folder its partitions wrote
    /// and into the root folder. Call once, when every partition of the run has succeeded.
    /// </summary>
    public async Task CompleteRunAsync(long runId, IEnumerable<PartitionBounds> partitions, CancellationToken cancellationToken)
    {
        var content = $"run_id={runId.ToString(CultureInfo.InvariantCulture)}\ncompleted_at={DateTime.UtcNow:O}\n";
        var folders = partitions.Select(p => ParquetOutputLayout.WindowFolder(Folder, p)).Append(Folder).Distinct(StringComparer.Ordinal);
        foreach (var target in folders)
        {
            Directory.CreateDirectory(target);
            var temporary = Path.Combine(target, $".{ParquetOutputLayout.SuccessMarker}.{Guid.NewGuid():N}.tmp");
            await File.WriteAllTextAsync(temporary, content, cancellationToken);
            File.Move(temporary, Path.Combine(target, ParquetOutputLayout.SuccessMarker), overwrite: true);
        }
    }
}
