using Microsoft.Extensions.Logging;

namespace BatchScoring.Worker.Execution;

/// <summary>Runs once per run, in whichever worker finished its last partition.</summary>
public sealed class RunFinalizer(ILogger<RunFinalizer> logger)
{
    public Task OnFinishedAsync(long runId, string status, CancellationToken cancellationToken)
    {
        logger.LogInformation("Run {RunId} finished: {Status}", runId, status);
        return Task.CompletedTask;
    }
}
