using BatchScoring.Worker.Execution;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace BatchScoring.Worker.Hosting;

/// <summary>The <c>worker</c> service's slots: partitions of any running run, including runs whose process died.</summary>
internal sealed class PartitionWorkerService(PartitionWorkerPool pool, IOptions<WorkerOptions> options) : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken)
        => pool.RunAsync(runId: null, options.Value.EffectiveSlots, stoppingToken);
}
