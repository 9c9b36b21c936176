using BatchScoring.Postgres.Migrations;
using Microsoft.Extensions.Hosting;

namespace BatchScoring.Worker.Hosting;

/// <summary>Brings the database schema up to date before the worker does anything else.</summary>
internal sealed class MigrateOnStartService(MigrationRunner migrations) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => migrations.ApplyAsync(cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
