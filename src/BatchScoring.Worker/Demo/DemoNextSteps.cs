using System.Globalization;
using BatchScoring.Core.Sql;
using BatchScoring.Worker.Cli;
using BatchScoring.Worker.Hosting;
using Microsoft.Extensions.Configuration;
using Npgsql;

namespace BatchScoring.Worker.Demo;

/// <summary>The end of the demo: the commands to try next, each spelled so that it works where the user is.</summary>
internal static class DemoNextSteps
{
    public static void Print(IConfiguration configuration, long runId, SqlIdentifier output)
    {
        var configured = AppConfiguration.ConfiguredConnectionString(configuration);
        var connection = new NpgsqlConnectionStringBuilder(configured ?? DatabaseLocator.LocalCluster(configuration).ConnectionString);
        var id = runId.ToString(CultureInfo.InvariantCulture);
        var query = $"SELECT * FROM {output} ORDER BY probability DESC LIMIT 10";
        (string Command, string What)[] steps =
        [
            (CliCommand.Here($"runs show {id}"), "the second run: partitions, drift verdict, duration"),
            (CliCommand.Here($"report {id} -o drift.html"), "its drift report again, to a file of your choice"),
            (CliCommand.Here($"backfill {DemoRunner.JobName} --from 2026-09-01 --to 2026-09-15 --dry-run"), "what a backfill of two weeks would score; changes nothing"),
            (CliCommand.Here("worker"), "the long-running service: schedules, partitions of any run, /metrics and /health"),
            ($"PGOPTIONS='-c role={DemoTables.AnalystRole}' psql -h {connection.Host} -p {connection.Port} -U {connection.Username} -d {connection.Database} -c \"{query}\"",
                $"the scores, read as the {DemoTables.AnalystRole} role (read-only on the ledger, drift and the demo's tables)"),
        ];
        Console.WriteLine();
        Console.WriteLine("Next, try:");
        foreach (var (command, what) in steps)
        {
            Console.WriteLine($"  {command}");
            Console.WriteLine($"      {what}");
        }
        if (configured is null)
            Console.WriteLine($"The local PostgreSQL keeps running; stop it with: {CliCommand.Here("demo stop")}");
    }
}
