namespace BatchScoring.Worker.Notifications;

/// <summary>A finished run, as webhooks receive it.</summary>
internal sealed record RunNotification(
    string Job,
    long RunId,
    string Status,
    string Trigger,
    long RowsRead,
    long RowsScored,
    long RowsFailed,
    string? Error,
    DateTime? WindowStart,
    DateTime? WindowEnd,
    string? ModelName,
    string? ModelVersion,
    string? OutputTable,
    double ElapsedSeconds);

/// <summary>A run whose drift report flagged features.</summary>
internal sealed record DriftNotification(
    string Job,
    long RunId,
    string? ModelName,
    string? ModelVersion,
    DateTime? WindowStart,
    DateTime? WindowEnd,
    IReadOnlyList<DriftedFeature> Features);

/// <summary>One flagged feature: the statistic that crossed its threshold (e.g. psi 0.31 over 0.2).</summary>
internal sealed record DriftedFeature(string Feature, string Statistic, double Value, double Threshold);
