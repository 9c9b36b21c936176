namespace BatchScoring.Worker.Notifications;

/// <summary>
/// Tells the configured webhooks about runs. Both calls only queue the message and return at once:
/// delivery (with retries) happens in the background and can never fail or slow the run.
/// </summary>
internal interface IRunNotifier
{
    /// <summary>Sends <c>failed</c>, <c>partially_failed</c> or (opt-in) <c>succeeded</c>; other statuses send nothing.</summary>
    Task RunFinishedAsync(RunNotification run, CancellationToken cancellationToken);

    Task DriftFlaggedAsync(DriftNotification drift, CancellationToken cancellationToken);
}
