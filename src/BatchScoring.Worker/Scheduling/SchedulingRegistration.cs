using BatchScoring.Worker.Hosting;
using BatchScoring.Worker.Observability;
using BatchScoring.Worker.Observability.Health;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Npgsql;
using Quartz;

namespace BatchScoring.Worker.Scheduling;

/// <summary>Quartz scheduling of the job folder, for the <c>worker</c> verb's host.</summary>
internal static class SchedulingRegistration
{
    public static IServiceCollection AddJobScheduling(this IServiceCollection services, IConfiguration configuration)
    {
        // Quartz's store is chosen while services are registered, so the options are bound (and validated) here, once.
        var options = AppConfiguration.Bind<SchedulerOptions>(configuration, SchedulerOptions.Section);
        services.AddSingleton(Options.Create(options));

        services.AddSingleton<JobCatalog>();
        services.AddTransient<ScheduledScoringJob>();
        services.AddQuartz(quartz =>
        {
            quartz.ConfigureScheduler(scheduler => scheduler.InstanceName = options.Name);
            if (options.Clustered)
            {
                quartz.UsePersistentStore(store =>
                {
                    // The qrtz_ tables come from our migrations (sql/005_quartz_tables.sql, moved to the quartz schema by
                    // sql/019_quartz_schema.sql), applied before Quartz starts.
                    store.UsePostgres(source => source.DataSourceFactory = provider => provider.GetRequiredService<NpgsqlDataSource>());
                    store.ConfigureStore(ado => ado.TablePrefix = "quartz.qrtz_");
                    store.UseSystemTextJsonSerializer();
                    store.UseClustering(cluster => cluster.CheckinInterval = options.ClusterCheckinInterval);
                });
            }
        });
        services.AddQuartzHostedService(hosted => hosted.WaitForJobsToComplete = true);
        services.AddHostedService<JobScheduleSynchronizer>();
        services.AddHealthChecks().AddCheck<SchedulerHealth>(HealthJson.SchedulerCheck, tags: [ObservabilityEndpoint.ReadyTag]);
        return services;
    }
}
