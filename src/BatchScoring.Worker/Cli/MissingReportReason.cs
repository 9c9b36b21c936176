using BatchScoring.Core.Runs;
using BatchScoring.Postgres.Drift;

namespace BatchScoring.Worker.Cli;

/// <summary>Why a run has no drift report, in one line for <c>report</c>.</summary>
internal static class MissingReportReason
{
    public static string Of(long runId, RunDriftState? state)
    {
        var reason = state switch
        {
            null => "there is no such run",
            { DriftStatus: DriftStatus.Failed } => $"making it failed: {state.DriftError}",
            { DriftStatus: DriftStatus.NotConfigured } => "the job has no drift reference (no drift section, and the model version has no registered reference profile)",
            { DriftStatus: DriftStatus.NoSketches } => "no succeeded partition left a drift sketch",
            { RunStatus: RunStatus.Running } => $"the run is {state.RunStatus} and not finalized yet",
            _ => $"the run {state.RunStatus} before it reached the drift step",
        };
        return $"Run {runId} has no drift report: {reason}.";
    }
}
