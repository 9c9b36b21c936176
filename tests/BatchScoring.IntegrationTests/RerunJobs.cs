using BatchScoring.Core.Jobs;
using BatchScoring.Core.Synthetic;
using BatchScoring.Postgres.Copy;
using BatchScoring.Postgres.Migrations;
using BatchScoring.Worker.Execution;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Npgsql;

namespace BatchScoring.IntegrationTests;

/// <summary>
/// What the tests of re-runs over keys already in the output table share (<see cref="ReplaceRunTests"/>,
/// <see cref="RunPartitionedOutputTests"/>, <see cref="SkipUnchangedRunTests"/>): a churn source of
/// <see cref="Rows"/> rows, a job of it in four key ranges, a host that runs it, and the settings of a worker process.
/// </summary>
internal static class RerunJobs
{
    public const int Rows = 6_000;

    /// <summary>Creates <c>public.&lt;name&gt;</c> with <see cref="Rows"/> synthetic customers; returns an open connection.</summary>
    public static async Task<NpgsqlConnection> SourceAsync(ScoringEnvironment env, string name, int seed)
    {
        var connection = await env.DataSource.OpenConnectionAsync();
        await connection.ExecuteAsync($"CREATE TABLE public.{name} ({SyntheticChurnData.TableDefinition})");
        await BinaryCopyWriter.CopyAsync(connection, $"public.{name}", SyntheticChurnData.Generate(Rows, seed).ToAsyncEnumerable(), CancellationToken.None);
        return connection;
    }

    /// <param name="output">The lines of the job's <c>output</c> section after its table, indented by two spaces.</param>
    public static string Job(string name, string output, string model = "churn.zip", int maxAttempts = 3) => $"""
        name: {name}
        source:
          table: public.{name}
          key_columns: [customer_id]
        partitioning:
          buckets: 4
        model:
          path: {model}
        output:
          table: scored.{name}
        {output}
        retries:
          max_attempts: {maxAttempts}
          backoff: 1s
          max_backoff: 2s
        """;

    public static async Task<(IHost Host, JobRunner Runner, JobSpec Job)> PrepareAsync(ScoringEnvironment env, string name, string yaml)
    {
        env.WriteJob(name, yaml);
        var host = await env.HostAsync();
        await host.Services.GetRequiredService<MigrationRunner>().ApplyAsync(CancellationToken.None);
        return (host, host.Services.GetRequiredService<JobRunner>(), JobSpecLoader.LoadByName(env.Folder, name));
    }

    /// <summary>
    /// Waits until a statement of <paramref name="process"/> that starts with <paramref name="statement"/> (its COPY, or the
    /// ledger's UPDATE that marks a partition done) sits in a trigger's <c>pg_sleep</c>, before its commit.
    /// </summary>
    public static async Task WaitForSleepingWriteAsync(NpgsqlConnection connection, Cli process, string statement = "COPY")
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(3);
        while (!await connection.ExecuteScalarAsync<bool>(
                   "SELECT EXISTS (SELECT 1 FROM pg_stat_activity WHERE wait_event = 'PgSleep' AND ltrim(query) LIKE @statement || '%' AND datname = current_database())", new { statement }))
        {
            Assert.False(process.HasExited, process.Output);
            Assert.True(DateTime.UtcNow < deadline, "the re-run never reached its first write");
            await Task.Delay(50);
        }
    }

    /// <summary>Waits until <paramref name="worker"/> finished run <paramref name="runId"/> and its finalizer is done; returns the run's status.</summary>
    public static async Task<string> WaitForFinalizedAsync(NpgsqlConnection connection, long runId, Cli worker)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(3);
        string? status;
        while ((status = await connection.ExecuteScalarAsync<string?>(
                   "SELECT status FROM scoring.runs WHERE run_id = @runId AND finalized_at IS NOT NULL", new { runId })) is null)
        {
            Assert.False(worker.HasExited, worker.Output);
            Assert.True(DateTime.UtcNow < deadline, "the worker never finished the run");
            await Task.Delay(100);
        }
        return status;
    }

    /// <summary>A <c>run</c> or <c>worker</c> process of one slot with short leases, so a killed one's partition is taken over within seconds.</summary>
    public static Dictionary<string, string> ProcessEnvironment(ScoringEnvironment env) => new()
    {
        ["ConnectionStrings__BatchScoring"] = env.ConnectionString,
        ["Jobs__Directory"] = env.Folder,
        ["Models__Directory"] = env.Folder,
        ["Worker__Slots"] = "1",
        ["Worker__LeaseDuration"] = "00:00:03",
        ["Worker__PollInterval"] = "00:00:00.300",
        ["Observability__MetricsAddress"] = "",
    };
}
