using BatchScoring.Postgres.Drift;
using BatchScoring.Postgres.Ledger;
using BatchScoring.Postgres.Registry;
using Microsoft.Extensions.DependencyInjection;

namespace BatchScoring.Worker.WebConsole;

internal static class ConsoleServices
{
    /// <summary>The read-only web console: its options, reads, pages and routes, and its own listener when <c>Console:Address</c> is set.</summary>
    public static IServiceCollection AddWebConsole(this IServiceCollection services)
    {
        services.AddOptions<ConsoleOptions>().BindConfiguration(ConsoleOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<RunBrowser>();
        services.AddSingleton<DriftHistory>();
        services.AddSingleton<ModelDescriptions>();
        services.AddSingleton<RunsPage>();
        services.AddSingleton<RunPage>();
        services.AddSingleton<JobsPage>();
        services.AddSingleton<ModelsPage>();
        services.AddSingleton<DriftPage>();
        services.AddSingleton<ConsoleAuthFilter>();
        services.AddSingleton<ConsoleRoutes>();
        services.AddHostedService<ConsoleEndpoint>();
        return services;
    }
}
