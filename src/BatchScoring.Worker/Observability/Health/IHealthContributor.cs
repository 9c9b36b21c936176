namespace BatchScoring.Worker.Observability.Health;

/// <summary>
/// A part of the service that reports its own health on <c>/health</c>. The scheduler registers one
/// named <see cref="HealthReporter.SchedulerCheck"/>; register it as a singleton
/// <c>services.AddSingleton&lt;IHealthContributor, …&gt;()</c>.
/// </summary>
internal interface IHealthContributor
{
    /// <summary>The key of this check in the <c>/health</c> document, e.g. <c>scheduler</c>.</summary>
    string Name { get; }

    Task<HealthCheckResult> CheckAsync(CancellationToken cancellationToken);
}
