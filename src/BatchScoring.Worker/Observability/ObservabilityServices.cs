using BatchScoring.Worker.Notifications;
using BatchScoring.Worker.Observability.Health;
using BatchScoring.Worker.Observability.Logging;
using BatchScoring.Worker.Observability.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace BatchScoring.Worker.Observability;

internal static class ObservabilityServices
{
    /// <summary>Logging, metrics, health, notifications and the <c>/metrics</c> + <c>/health</c> endpoint (served while the host runs).</summary>
    public static IServiceCollection AddObservability(this IServiceCollection services)
    {
        services.AddOptions<LoggingOptions>().BindConfiguration(LoggingOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<ObservabilityOptions>().BindConfiguration(ObservabilityOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<NotificationOptions>().BindConfiguration(NotificationOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<IValidateOptions<NotificationOptions>, NotificationOptionsValidator>();
        services.TryAddSingleton(TimeProvider.System);

        // The collector listens from the moment the metrics exist, so no measurement is lost before /metrics is first asked for.
        services.AddSingleton(_ => new MetricsCollector(new ScoringMetrics()));
        services.AddSingleton(provider => provider.GetRequiredService<MetricsCollector>().Metrics);
        services.AddSingleton<HealthReporter>();
        services.AddSingleton<WebhookNotifier>();
        services.AddSingleton<IRunNotifier>(provider => provider.GetRequiredService<WebhookNotifier>());
        services.AddSingleton<RunObserver>();
        services.AddHostedService<ObservabilityEndpoint>();
        return services;
    }
}
