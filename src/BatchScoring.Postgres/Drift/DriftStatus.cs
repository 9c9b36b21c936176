namespace BatchScoring.Postgres.Drift;

/// <summary>The values of <c>scoring.runs.drift_status</c>: what became of a run's drift report.</summary>
public static class DriftStatus
{
    public const string Reported = "reported";
    /// <summary>The run had no drift reference (no drift section and no registered profile).</summary>
    public const string NotConfigured = "not_configured";
    /// <summary>No succeeded partition left a drift sketch.</summary>
    public const string NoSketches = "no_sketches";
    /// <summary>The finalizer failed; <c>drift_error</c> says how.</summary>
    public const string Failed = "failed";
}

/// <summary>A run's status and what became of its drift report, as <c>report</c> explains a missing one.</summary>
public sealed record RunDriftState(string RunStatus, string? DriftStatus, string? DriftError);
