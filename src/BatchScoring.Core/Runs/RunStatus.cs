namespace BatchScoring.Core.Runs;

/// <summary>Run states as stored in <c>scoring.runs.status</c>.</summary>
public static class RunStatus
{
    public const string Running = "running";
    public const string Succeeded = "succeeded";
    public const string PartiallyFailed = "partially_failed";
    public const string Failed = "failed";
    public const string Cancelled = "cancelled";
}

/// <summary>What started a run, as stored in <c>scoring.runs.trigger</c>.</summary>
public static class RunTrigger
{
    public const string Schedule = "schedule";
    public const string Backfill = "backfill";
    public const string Manual = "manual";
    public const string Retry = "retry";
}
