using BatchScoring.Core.Errors;
using BatchScoring.Postgres.Migrations;
using BatchScoring.Worker.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace BatchScoring.Worker.Cli;

/// <summary>
/// The host of a verb. Only the verbs that start or score runs (<c>migrate</c>, <c>worker</c>, <c>run</c>,
/// <c>backfill</c>, <c>retry</c>, <c>demo</c>) bring the schema up to date; the others only check that it is,
/// so they work as a read-only role and never create the <c>scoring</c> schema.
/// </summary>
internal static class CliHost
{
    public static Task<IHost> MigratedAsync(IConfigurationRoot configuration, CancellationToken cancellationToken)
        => BuildAsync(configuration, async migrations => await migrations.ApplyAsync(cancellationToken), cancellationToken);

    /// <summary>
    /// As <see cref="MigratedAsync(IConfigurationRoot, CancellationToken)"/>, with <paramref name="alongside"/> run on the
    /// built host while the schema is brought up to date: work that needs no table of the schema (reading a job file,
    /// loading a model file) then adds nothing to the start-up (~50 ms of a `run`, docs/BENCHMARKS.md). The schema's
    /// error, if any, is the one thrown.
    /// </summary>
    public static async Task<(IHost Host, T Result)> MigratedAsync<T>(IConfigurationRoot configuration, Func<IServiceProvider, Task<T>> alongside,
        CancellationToken cancellationToken)
    {
        var host = await ServiceHost.BuildAsync(configuration, cancellationToken);
        try
        {
            var work = Task.Run(() => alongside(host.Services), cancellationToken);
            try
            {
                await host.Services.GetRequiredService<MigrationRunner>().ApplyAsync(cancellationToken);
            }
            catch
            {
                await work.ContinueWith(_ => { }, TaskScheduler.Default);
                throw;
            }
            return (host, await work);
        }
        catch
        {
            host.Dispose();
            throw;
        }
    }

    public static Task<IHost> CurrentAsync(IConfigurationRoot configuration, CancellationToken cancellationToken)
        => BuildAsync(configuration, async migrations => ThrowIfBehind(await migrations.PendingAsync(cancellationToken)), cancellationToken);

    private static void ThrowIfBehind(IReadOnlyList<string> pending)
    {
        if (pending.Count == MigrationScript.All.Count)
            throw new BatchScoringException($"The database has no BatchScoring schema yet: run `{CliCommand.Here("migrate")}` first.");
        if (pending.Count > 0)
            throw new BatchScoringException(
                $"The database schema is {pending.Count} migration(s) behind this batchscoring (first: {pending[0]}): run `{CliCommand.Here("migrate")}` first.");
    }

    private static async Task<IHost> BuildAsync(IConfigurationRoot configuration, Func<MigrationRunner, Task> schema, CancellationToken cancellationToken)
    {
        var host = await ServiceHost.BuildAsync(configuration, cancellationToken);
        try
        {
            await schema(host.Services.GetRequiredService<MigrationRunner>());
            return host;
        }
        catch
        {
            host.Dispose();
            throw;
        }
    }
}
