using BatchScoring.Models.Loading;
using BatchScoring.Postgres.Commit;
using BatchScoring.Postgres.Drift;
using BatchScoring.Postgres.Ledger;
using BatchScoring.Postgres.Migrations;
using BatchScoring.Postgres.Output;
using BatchScoring.Postgres.Registry;
using BatchScoring.Worker.Demo;
using BatchScoring.Worker.Execution;
using BatchScoring.Worker.Observability;
using BatchScoring.Worker.WebConsole;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Npgsql;
using Serilog;
using Serilog.Extensions.Logging;

namespace BatchScoring.Worker.Hosting;

/// <summary>The composition root: every verb builds its host here, so they all share one wiring.</summary>
internal static class ServiceHost
{
    public static async Task<IHost> BuildAsync(
        IConfigurationRoot configuration, CancellationToken cancellationToken, Action<IServiceCollection>? configure = null)
    {
        var bootstrapLogger = new SerilogLoggerFactory(Log.Logger).CreateLogger("BatchScoring");
        var connectionString = await DatabaseLocator.ResolveAsync(configuration, bootstrapLogger, cancellationToken);

        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings
        {
            DisableDefaults = true,
            ContentRootPath = AppContext.BaseDirectory,
        });
        // Copied, not chained: a chained configuration hides empty values, so `Observability:MetricsAddress=""`
        // would fall back to the option's default instead of meaning "off".
        builder.Configuration.AddInMemoryCollection(configuration.AsEnumerable());
        builder.Services.AddSerilog();

        builder.Services.AddOptions<WorkerOptions>().BindConfiguration(WorkerOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddOptions<JobsOptions>().BindConfiguration(JobsOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddOptions<ModelsOptions>().BindConfiguration(ModelsOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddOptions<SourcesOptions>().BindConfiguration(SourcesOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddOptions<DemoOptions>().BindConfiguration(DemoOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddOptions<ReportsOptions>().BindConfiguration(ReportsOptions.Section).ValidateDataAnnotations().ValidateOnStart();

        builder.Services.AddSingleton(sp => NpgsqlDataSource.Create(StagingSessionSettings.Apply(connectionString, sp.GetRequiredService<IOptions<WorkerOptions>>().Value)));
        builder.Services.AddSingleton(_ => SourceDataSource.Create(configuration.GetConnectionString("Source"), connectionString));
        builder.Services.AddSingleton<MigrationRunner>();
        builder.Services.AddSingleton<RunLedger>();
        builder.Services.AddSingleton(sp => new ModelFileLoader(sp.GetRequiredService<IOptions<ModelsOptions>>().Value.CompileTreeEnsembles));
        builder.Services.AddSingleton<PartitionLeases>();
        builder.Services.AddSingleton<PartitionCommits>();
        builder.Services.AddSingleton<StoredFingerprints>();
        builder.Services.AddSingleton<OutputTables>();
        builder.Services.AddSingleton<RunPartitions>();
        builder.Services.AddSingleton<RunContextFactory>();
        builder.Services.AddSingleton<PartitionExecutor>();
        builder.Services.AddSingleton<RunFinalizer>();
        builder.Services.AddSingleton<DriftReferenceResolver>();
        builder.Services.AddSingleton<ReferenceProfileBuilder>();
        builder.Services.AddSingleton<PartitionWorkerPool>();
        builder.Services.AddSingleton(sp => new ModelRegistry(
            sp.GetRequiredService<NpgsqlDataSource>(), sp.GetRequiredService<IOptions<ModelsOptions>>().Value.StoreDirectory));
        builder.Services.AddSingleton<ModelResolver>();
        builder.Services.AddSingleton<ShadowRunLedger>();
        builder.Services.AddSingleton<RunSummaries>();
        builder.Services.AddSingleton<JobRunner>();
        builder.Services.AddSingleton<DemoRunner>();
        builder.Services.AddSingleton<DemoModel>();
        builder.Services.AddSingleton<DemoReport>();
        builder.Services.AddSingleton<DemoTables>();
        builder.Services.AddSingleton<DriftReportStore>();
        builder.Services.AddSingleton<DriftTrendStore>();
        builder.Services.AddSingleton<DriftSketchStore>();
        builder.Services.AddSingleton<RunDriftFinalizer>();
        builder.Services.AddObservability();
        builder.Services.AddWebConsole();
        configure?.Invoke(builder.Services);
        return builder.Build();
    }
}
