using BatchScoring.Postgres.Migrations;
using BatchScoring.Testing;
using BatchScoring.Worker.Hosting;
using BatchScoring.Worker.Scheduling;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Quartz;

namespace BatchScoring.IntegrationTests.Scheduling;

/// <summary>A host wired like the <c>worker</c> verb's: migrations, then Quartz scheduling of a job folder.</summary>
internal static class SchedulingHost
{
    public static async Task<IHost> StartAsync(IConfigurationRoot configuration, FireCounter? fires = null)
    {
        // Several hosts run in one test process: each serves its metrics endpoint on a port of its own.
        configuration = new ConfigurationBuilder().AddConfiguration(configuration).AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Observability:MetricsAddress"] = $"http://127.0.0.1:{FreePort.OnLoopback()}",
        }).Build();
        var host = await ServiceHost.BuildAsync(configuration, CancellationToken.None, services =>
        {
            services.AddJobScheduling(configuration);
            if (fires is not null)
                services.AddQuartz(quartz => quartz.AddJobListener(fires, [GroupMatcher<JobKey>.AnyGroup()]));
        });
        await host.Services.GetRequiredService<MigrationRunner>().ApplyAsync(CancellationToken.None);
        await host.StartAsync();
        return host;
    }

    public static Task<IScheduler> SchedulerAsync(this IHost host)
        => host.Services.GetRequiredService<ISchedulerFactory>().GetScheduler().AsTask();

    /// <summary>Polls until <paramref name="condition"/> holds, failing with <paramref name="what"/> after a timeout.</summary>
    public static async Task EventuallyAsync(Func<Task<bool>> condition, string what, double seconds = 15)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
                Assert.Fail($"Timed out after {seconds} s waiting for: {what}");
            await Task.Delay(100);
        }
    }
}
