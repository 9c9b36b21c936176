using BatchScoring.Core.Jobs;
using BatchScoring.Parquet.Sinks;
using BatchScoring.Postgres.Ledger;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace BatchScoring.Worker.Hosting;

/// <summary>
/// At <c>worker</c> start-up, removes the Parquet temporary files that killed attempts left in the output folders
/// of the jobs of <c>Jobs:Directory</c>, except those of partitions that are running under a live lease.
/// </summary>
internal sealed class TemporaryFileSweeper(PartitionLeases leases, IOptions<JobsOptions> jobs, ILogger<TemporaryFileSweeper> logger)
{
    public async Task SweepAsync(CancellationToken cancellationToken)
    {
        if (!Directory.Exists(jobs.Value.Directory))
            return;
        var folders = JobSpecLoader.LoadDirectory(jobs.Value.Directory).Jobs
            .Select(j => j.Output.ParquetFolder).OfType<string>().Select(Path.GetFullPath).Distinct().ToArray();
        if (folders.Length == 0)
            return;
        var asked = DateTime.UtcNow;
        var running = await leases.LiveRunningPartitionsAsync(cancellationToken);
        foreach (var folder in folders)
        {
            var removed = ParquetTemporaryFiles.Sweep(folder, running.Contains, asked);
            if (removed.Count > 0)
                logger.LogInformation("Removed {Count} temporary Parquet files of partitions no longer running under {ParquetFolder}", removed.Count, folder);
        }
    }
}
