using BatchScoring.Worker.Notifications;
using BatchScoring.Worker.Observability.Health;
using BatchScoring.Worker.Observability.Logging;
using BatchScoring.Worker.Observability.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace BatchScoring.Worker.Observability;

internal static class ObservabilityServices
{
    /// <summary>Logging, metrics, health checks, notifications and the <c>/metrics</c> + <c>/health</c> endpoint (served while the host runs).</summary>
    public static IServiceCollection AddObservability(this IServiceCollection services)
    {
        services.AddOptions<LoggingOptions>().BindConfiguration(LoggingOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<ObservabilityOptions>().BindConfiguration(ObservabilityOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<NotificationOptions>().BindConfiguration(NotificationOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<IValidateOptions<NotificationOptions>, NotificationOptionsValidator>();
        services.TryAddSingleton(TimeProvider.System);

        services.AddSingleton<ScoringMetrics>();
        services.AddSingleton<LedgerGauges>();
        services.AddHealthChecks()
            .AddCheck<DatabaseHealthCheck>(DatabaseHealthCheck.Name, tags: [ObservabilityEndpoint.ReadyTag])
            .AddCheck<MigrationsHealthCheck>(MigrationsHealthCheck.Name, tags: [ObservabilityEndpoint.ReadyTag]);
        // Each check is bounded, so a hung database reads as unhealthy, not as a hung probe.
        services.AddOptions<HealthCheckServiceOptions>().Configure<IOptions<ObservabilityOptions>>((health, observability) =>
        {
            foreach (var registration in health.Registrations)
                registration.Timeout = observability.Value.HealthTimeout;
        });
        services.AddSingleton<WebhookNotifier>();
        services.AddSingleton<IRunNotifier>(provider => provider.GetRequiredService<WebhookNotifier>());
        services.AddSingleton<RunObserver>();
        services.AddHostedService<ObservabilityEndpoint>();
        return services;
    }
}
