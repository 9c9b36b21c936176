using System.CommandLine;
using BatchScoring.Postgres.Migrations;
using BatchScoring.Worker.Demo;
using BatchScoring.Worker.Hosting;
using BatchScoring.Worker.Scheduling;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace BatchScoring.Worker.Cli;

/// <summary>The <c>batchscoring</c> command line: one subcommand per verb.</summary>
internal static class BatchScoringCli
{
    /// <param name="signals">Ctrl+C as <c>run</c>, <c>backfill</c> and <c>retry</c> handle it; null where no process signals come (tests).</param>
    public static RootCommand Create(IConfigurationRoot configuration, ConsoleSignals? signals = null)
    {
        var root = new RootCommand("BatchScoring: batch ML scoring of PostgreSQL data with ML.NET models.");
        // Read before parsing (AppConfiguration.Build); declared here so every verb accepts it and --help lists it.
        root.Options.Add(new Option<string?>("--config")
        {
            Description = "The appsettings.json to use (default: the one next to the executable); folders in it are relative to its folder.",
            Recursive = true,
        });
        root.Subcommands.Add(Migrate(configuration));
        foreach (var command in RunCommands.Create(configuration, signals))
            root.Subcommands.Add(command);
        root.Subcommands.Add(RunsCommands.Create(configuration));
        root.Subcommands.Add(Demo(configuration));
        root.Subcommands.Add(WorkerVerb(configuration));
        root.Subcommands.Add(ReportCommand.Create(configuration));
        root.Subcommands.Add(ModelsCommands.Create(configuration));
        root.Subcommands.Add(JobsCommands.Create(configuration));
        root.Subcommands.Add(ConsoleCommand.Create(configuration));
        return root;
    }

    private static Command Migrate(IConfigurationRoot configuration)
    {
        var command = new Command("migrate", "Apply the database migrations of sql/ that are not applied yet.");
        command.SetAction((_, cancellationToken) => CliAction.RunAsync(async () =>
        {
            using var host = await ServiceHost.BuildAsync(configuration, cancellationToken);
            var applied = await host.Services.GetRequiredService<MigrationRunner>().ApplyAsync(cancellationToken);
            Console.WriteLine(applied.Count == 0 ? "Database schema is current." : $"Applied {applied.Count} migration(s): {string.Join(", ", applied)}");
            return ExitCodes.Succeeded;
        }));
        return command;
    }

    private static Command Demo(IConfigurationRoot configuration)
    {
        var command = new Command("demo",
            "Start (or reuse) a local PostgreSQL in .data/pg, generate customer data, train a model, score it and print how to look at the result. " +
            "With ConnectionStrings__BatchScoring set, uses that database instead.");
        command.SetAction((_, cancellationToken) => CliAction.RunAsync(async () =>
        {
            using var host = await ServiceHost.BuildAsync(configuration, cancellationToken);
            return await host.Services.GetRequiredService<DemoRunner>().RunAsync(configuration, cancellationToken);
        }));

        var stop = new Command("stop", "Stop the local PostgreSQL that demo started (its data in .data/pg stays).");
        stop.SetAction((_, cancellationToken) => CliAction.RunAsync(async () =>
        {
            var cluster = DatabaseLocator.LocalCluster(configuration);
            await cluster.StopAsync(immediate: false, cancellationToken);
            Console.WriteLine($"Stopped the local PostgreSQL in {cluster.DataDirectory}.");
            return ExitCodes.Succeeded;
        }));
        command.Subcommands.Add(stop);
        return command;
    }

    private static Command WorkerVerb(IConfigurationRoot configuration)
    {
        var command = new Command("worker",
            "Run as a long-lived service: migrate the database, fire the jobs of jobs/ on their schedules, and score partitions of any run until stopped.");
        command.SetAction((_, cancellationToken) => CliAction.RunAsync(async () =>
        {
            using var host = await ServiceHost.BuildAsync(configuration, cancellationToken, services =>
            {
                services.AddHostedService<PartitionWorkerService>();
                services.AddJobScheduling(configuration);
                // The host waits for the partitions' hand-off (Worker:ShutdownGrace), not its default 30 s.
                services.AddOptions<HostOptions>().Configure<IOptions<WorkerOptions>>(
                    (host, worker) => host.ShutdownTimeout = worker.Value.ShutdownGrace + TimeSpan.FromSeconds(10));
            });
            // Migrated before the host starts, so an unreachable database is one line from CliAction, not a hosting failure's stack.
            await host.Services.GetRequiredService<MigrationRunner>().ApplyAsync(cancellationToken);
            await ActivatorUtilities.CreateInstance<TemporaryFileSweeper>(host.Services).SweepAsync(cancellationToken);
            await host.RunAsync(cancellationToken);
            return ExitCodes.Succeeded;
        }));
        return command;
    }
}
