using System.Collections.Concurrent;
using System.Globalization;
using BatchScoring.Core.Jobs;
using BatchScoring.Core.Runs;
using BatchScoring.Postgres.Migrations;
using BatchScoring.Testing;
using BatchScoring.Worker.Cli;
using BatchScoring.Worker.Execution;
using BatchScoring.Worker.Hosting;
using BatchScoring.Worker.Observability.Logging;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Serilog;
using Serilog.Core;
using Serilog.Events;

namespace BatchScoring.IntegrationTests.Operations;

/// <summary>
/// Runs jobs as <c>batchscoring_worker</c> with a password, as ops are told to, and reads their
/// output as <c>batchscoring_analyst</c>. The roles are cluster-wide: only this class (and, as the analyst, ConsoleAccessTests) logs in with them.
/// </summary>
public class LeastPrivilegeTests(ScoringEnvironment env) : IClassFixture<ScoringEnvironment>
{
    private readonly string _password = "Pw-" + Guid.NewGuid().ToString("N");

    [Fact]
    public async Task The_worker_role_runs_a_job_and_the_analyst_role_reads_its_output_but_cannot_write()
    {
        var workerConnection = await PrepareWorkerAsync();
        var outcome = await RunChurnJobAsync("as-worker", "scored_by_worker.churn", ("ConnectionStrings:BatchScoring", workerConnection));
        await using var admin = await env.DataSource.OpenConnectionAsync();
        await using var analyst = await AnalystAsync();

        Assert.Equal(ScoringEnvironment.SourceRows, await analyst.ExecuteScalarAsync<long>("SELECT count(*) FROM scored_by_worker.churn"));
        Assert.Equal(RunStatus.Succeeded, await analyst.ExecuteScalarAsync<string>("SELECT status FROM scoring.runs WHERE run_id = @id", new { id = outcome.RunId }));
        Assert.Equal(0, await analyst.ExecuteScalarAsync<long>("SELECT count(*) FROM scoring.partitions WHERE run_id = -1"));
        Assert.Equal(0, await analyst.ExecuteScalarAsync<long>("SELECT count(*) FROM scoring.models"));

        foreach (var write in new[]
        {
            "UPDATE scored_by_worker.churn SET probability = 0",
            "DELETE FROM scored_by_worker.churn",
            "INSERT INTO scored_by_worker.churn SELECT * FROM scored_by_worker.churn LIMIT 1",
            "UPDATE scoring.runs SET status = 'failed'",
            "CREATE TABLE scored_by_worker.mine (x int)",
        })
        {
            var e = await Assert.ThrowsAsync<PostgresException>(() => analyst.ExecuteAsync(write));
            Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, e.SqlState);
        }
        Assert.Equal(ScoringEnvironment.SourceRows, await admin.ExecuteScalarAsync<long>("SELECT count(*) FROM scored_by_worker.churn WHERE probability > 0"));
    }

    [Fact]
    public async Task Output_a_job_run_by_the_database_owner_creates_is_read_by_the_analyst_role_too()
    {
        using (var migrating = await env.HostAsync())
            await migrating.Services.GetRequiredService<MigrationRunner>().ApplyAsync(CancellationToken.None);
        await RunChurnJobAsync("as-owner", "scored_by_owner.churn");
        await using var analyst = await AnalystAsync();

        Assert.Equal(ScoringEnvironment.SourceRows, await analyst.ExecuteScalarAsync<long>("SELECT count(*) FROM scored_by_owner.churn"));
        Assert.Equal(ScoringEnvironment.SourceRows, await analyst.ExecuteScalarAsync<long>("SELECT count(*) FROM scored_by_owner.churn_latest"));
        var e = await Assert.ThrowsAsync<PostgresException>(() => analyst.ExecuteAsync("DELETE FROM scored_by_owner.churn"));
        Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, e.SqlState);
    }

    [Fact]
    public async Task No_log_line_of_full_runs_contains_the_connection_strings_password()
    {
        var workerConnection = await PrepareWorkerAsync();
        OperationsHelpers.WriteChurnJob(env, "logged", ScoringEnvironment.SourceTable, "scored_by_worker.logged");
        await OperationsHelpers.CreateBrokenSourceAsync(env, "public.logged_broken");
        await using (var admin = await env.DataSource.OpenConnectionAsync())
            await admin.ExecuteAsync("GRANT SELECT ON public.logged_broken TO batchscoring_worker");
        OperationsHelpers.WriteChurnJob(env, "logged-broken", "public.logged_broken", "scored_by_worker.logged_broken");
        var configuration = OperationsHelpers.Configuration(env, ("ConnectionStrings:BatchScoring", workerConnection));

        var text = new CapturingSink(LoggingSetup.Formatter(json: false, LoggingSetup.DefaultOutputTemplate, SecretMasker.FromConfiguration(configuration)));
        var json = new CapturingSink(LoggingSetup.Formatter(json: true, LoggingSetup.DefaultOutputTemplate, SecretMasker.FromConfiguration(configuration)));
        var raw = new CapturingSink(null);
        var previous = Log.Logger;
        Log.Logger = LoggingSetup.CreateLogger(configuration, logger => logger.MinimumLevel.Verbose().WriteTo.Sink(text).WriteTo.Sink(json).WriteTo.Sink(raw));
        int succeeded, failed;
        try
        {
            succeeded = await BatchScoringCli.Create(configuration).Parse(["run", "logged"]).InvokeAsync();
            failed = await BatchScoringCli.Create(configuration).Parse(["run", "logged-broken"]).InvokeAsync();
            // Someone logging a connection string by mistake is masked too.
            Log.ForContext<LeastPrivilegeTests>().Warning("Connecting with {ConnectionString}", workerConnection);
        }
        finally
        {
            await Log.CloseAndFlushAsync();
            Log.Logger = previous;
        }

        Assert.Equal(ExitCodes.Succeeded, succeeded);
        // The broken source lacks a model input: `run` refuses it before a run is created, and logs why.
        Assert.Equal(ExitCodes.InvalidInput, failed);
        Assert.Contains(text.Lines, l => l.Contains("[logged run ") && l.Contains("succeeded"));
        Assert.Contains(text.Lines, l => l.Contains("Expected failure") && l.Contains("Job 'logged-broken'") && l.Contains("missing from source"));
        Assert.Contains(json.Lines, l => l.Contains("\"JobName\":\"logged\"") && l.Contains("\"RunId\":"));
        Assert.Contains(text.Lines, l => l.Contains("Password=***"));
        foreach (var sink in new[] { text, json, raw })
        {
            Assert.NotEmpty(sink.Lines);
            Assert.DoesNotContain(sink.Lines, l => l.Contains(_password));
        }
    }

    [Fact]
    public async Task The_analyst_role_lists_runs_and_shows_one_with_the_command_line_which_migrates_nothing()
    {
        await PrepareWorkerAsync();
        var runId = await TestRuns.StartAsync(env.DataSource, new RunStart("read-by-analyst", RunTrigger.Manual, null, null, null), CancellationToken.None);
        await TestRuns.FailAsync(env.DataSource, runId, "test over");
        await using (var admin = await env.DataSource.OpenConnectionAsync())
            await admin.ExecuteAsync("ALTER ROLE batchscoring_analyst LOGIN");
        var environment = new Dictionary<string, string>
        {
            ["ConnectionStrings__BatchScoring"] = new NpgsqlConnectionStringBuilder(env.ConnectionString) { Username = "batchscoring_analyst", Password = null }.ConnectionString,
            ["Observability__MetricsAddress"] = "",
        };

        var list = await CliRun.RunAsync(env.Folder, ["runs", "--job", "read-by-analyst"], environment);
        var show = await CliRun.RunAsync(env.Folder, ["runs", "show", runId.ToString(CultureInfo.InvariantCulture)], environment);

        Assert.True(list.ExitCode == 0, $"runs exited {list.ExitCode}:\n{list.Stdout}\n{list.Stderr}");
        Assert.Contains("read-by-analyst", list.Stdout);
        Assert.True(show.ExitCode == 0, $"runs show exited {show.ExitCode}:\n{show.Stdout}\n{show.Stderr}");
        Assert.Contains($"Run {runId} of read-by-analyst (manual): failed", show.Stdout);
        Assert.DoesNotContain("permission denied", list.Stdout + list.Stderr + show.Stdout + show.Stderr);
    }

    [Fact]
    public async Task The_analyst_role_running_a_job_gets_one_line_naming_the_missing_privilege_and_nothing_is_written()
    {
        await PrepareWorkerAsync();
        OperationsHelpers.WriteChurnJob(env, "run-by-analyst", ScoringEnvironment.SourceTable, "scored_by_worker.by_analyst");
        await using (var admin = await env.DataSource.OpenConnectionAsync())
            await admin.ExecuteAsync("ALTER ROLE batchscoring_analyst LOGIN");
        var environment = new Dictionary<string, string>
        {
            ["ConnectionStrings__BatchScoring"] = new NpgsqlConnectionStringBuilder(env.ConnectionString) { Username = "batchscoring_analyst", Password = null }.ConnectionString,
            ["Observability__MetricsAddress"] = "",
        };

        var run = await CliRun.RunAsync(env.Folder, ["run", "run-by-analyst"], environment);

        Assert.True(run.ExitCode == ExitCodes.InvalidInput, $"run exited {run.ExitCode}:\n{run.Stdout}\n{run.Stderr}");
        var error = Assert.Single(run.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries), l => l.StartsWith("error: ", StringComparison.Ordinal));
        Assert.Contains("permission denied", error);
        Assert.Contains("batchscoring_worker", error);
        Assert.Contains("ConnectionStrings:BatchScoring", error);
        Assert.DoesNotContain("   at ", run.Stdout + run.Stderr);
        await using var check = await env.DataSource.OpenConnectionAsync();
        Assert.Equal(0, await check.ExecuteScalarAsync<long>("SELECT count(*) FROM scoring.runs WHERE job_name = 'run-by-analyst'"));
    }

    [Fact]
    public async Task A_skip_unchanged_job_as_the_worker_role_on_a_table_it_does_not_own_reads_the_stored_rows_instead_of_kept_fingerprints()
    {
        var workerConnection = await PrepareWorkerAsync();
        const string table = "scored_by_admin.kept";
        env.WriteJob("kept-by-admin", OperationsHelpers.ChurnJobText("kept-by-admin", ScoringEnvironment.SourceTable, table) + "\n  skip_unchanged: true\n");
        var job = JobSpecLoader.LoadByName(env.Folder, "kept-by-admin");
        using (var admin = await env.HostAsync())
            Assert.Equal(RunStatus.Succeeded, (await admin.Services.GetRequiredService<JobRunner>().RunAsync(job, RunTrigger.Manual, CancellationToken.None)).Status);
        await using var connection = await env.DataSource.OpenConnectionAsync();
        // Without the trigger, the admin's DELETE goes unnoticed by what the first run kept; a worker that cannot
        // attach the trigger again must not trust it.
        var deleted = await connection.ExecuteAsync($"""
            DROP TRIGGER batchscoring_forget_kept_fingerprints ON {table};
            GRANT USAGE ON SCHEMA scored_by_admin TO batchscoring_worker;
            GRANT SELECT, INSERT, UPDATE, DELETE ON {table} TO batchscoring_worker;
            DELETE FROM {table} WHERE customer_id % 10 = 5;
            """);

        using var host = await ServiceHost.BuildAsync(OperationsHelpers.Configuration(env, ("ConnectionStrings:BatchScoring", workerConnection)), CancellationToken.None);
        var outcome = await host.Services.GetRequiredService<JobRunner>().RunAsync(job, RunTrigger.Manual, CancellationToken.None);

        Assert.True(outcome.Status == RunStatus.Succeeded, outcome.Error);
        Assert.Equal(deleted, outcome.RowsScored);
        Assert.Equal(await connection.ExecuteScalarAsync<long>($"SELECT count(*) FROM {ScoringEnvironment.SourceTable}"),
            await connection.ExecuteScalarAsync<long>($"SELECT count(*) FROM {table}"));
    }

    /// <summary>Runs a churn job into <paramref name="output"/>, as the environment's owner unless <paramref name="overrides"/> say otherwise.</summary>
    private async Task<RunOutcome> RunChurnJobAsync(string job, string output, params (string Key, string Value)[] overrides)
    {
        OperationsHelpers.WriteChurnJob(env, job, ScoringEnvironment.SourceTable, output);
        using var host = await ServiceHost.BuildAsync(OperationsHelpers.Configuration(env, overrides), CancellationToken.None);
        var outcome = await host.Services.GetRequiredService<JobRunner>().RunAsync(JobSpecLoader.LoadByName(env.Folder, job), RunTrigger.Manual, CancellationToken.None);
        Assert.True(outcome.Status == RunStatus.Succeeded, outcome.Error);
        return outcome;
    }

    /// <summary>A connection as <c>batchscoring_analyst</c>, given a login for it.</summary>
    private async Task<NpgsqlConnection> AnalystAsync()
    {
        await using (var admin = await env.DataSource.OpenConnectionAsync())
            await admin.ExecuteAsync("ALTER ROLE batchscoring_analyst LOGIN");
        var analyst = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(env.ConnectionString) { Username = "batchscoring_analyst", Password = null }.ConnectionString);
        await analyst.OpenAsync();
        return analyst;
    }

    /// <summary>Gives the worker role a login with this test's password and the grants a job needs; returns its connection string.</summary>
    private async Task<string> PrepareWorkerAsync()
    {
        using (var host = await env.HostAsync())
            await host.Services.GetRequiredService<MigrationRunner>().ApplyAsync(CancellationToken.None);
        await using var admin = await env.DataSource.OpenConnectionAsync();
        await admin.ExecuteAsync($"""
            ALTER ROLE batchscoring_worker LOGIN PASSWORD '{_password}';
            GRANT SELECT ON {ScoringEnvironment.SourceTable} TO batchscoring_worker;
            """);
        return new NpgsqlConnectionStringBuilder(env.ConnectionString) { Username = "batchscoring_worker", Password = _password }.ConnectionString;
    }

    private sealed class CapturingSink(Serilog.Formatting.ITextFormatter? formatter) : ILogEventSink
    {
        private readonly ConcurrentQueue<string> _lines = new();

        public IReadOnlyList<string> Lines => _lines.ToArray();

        public void Emit(LogEvent logEvent)
        {
            using var writer = new StringWriter();
            if (formatter is null)
            {
                // What the event carries before any formatter masks it: message, properties, exception.
                writer.Write(logEvent.RenderMessage());
                foreach (var property in logEvent.Properties)
                    writer.Write($" {property.Key}={property.Value}");
                writer.Write(logEvent.Exception?.ToString());
            }
            else
            {
                formatter.Format(logEvent, writer);
            }
            _lines.Enqueue(writer.ToString());
        }
    }
}
