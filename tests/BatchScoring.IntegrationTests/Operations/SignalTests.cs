using BatchScoring.Postgres.Migrations;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace BatchScoring.IntegrationTests.Operations;

/// <summary>
/// Ctrl+C (SIGINT) and SIGTERM sent to a real <c>run</c> process: the cancellation is in the ledger at once, nothing
/// more is claimed, in-flight partitions commit within <c>Worker:ShutdownGrace</c> or are rolled back, the rest are
/// cancelled, the summary is printed and the exit code is 130; a second signal exits at once.
/// </summary>
public class SignalTests(ScoringEnvironment env) : IClassFixture<ScoringEnvironment>
{
    private async Task<Dictionary<string, string>> PrepareAsync(string name, double secondsPerWrite, string grace)
    {
        using (var host = await env.HostAsync())
            await host.Services.GetRequiredService<MigrationRunner>().ApplyAsync(CancellationToken.None);
        await using (var connection = await env.DataSource.OpenConnectionAsync())
            await SlowPartitions.CreateOutputAsync(connection, $"scored.{name}", secondsPerWrite);
        env.WriteJob(name, $"""
            name: {name}
            source:
              table: {ScoringEnvironment.SourceTable}
              key_columns: [customer_id]
            partitioning:
              buckets: 8
            model:
              path: churn.zip
            output:
              table: scored.{name}
            """);
        return new()
        {
            ["ConnectionStrings__BatchScoring"] = env.ConnectionString,
            ["Jobs__Directory"] = env.Folder,
            ["Models__Directory"] = env.Folder,
            ["Worker__Slots"] = "1",
            ["Worker__LeaseDuration"] = "00:00:03",
            ["Worker__PollInterval"] = "00:00:00.200",
            ["Worker__ShutdownGrace"] = grace,
            ["Observability__MetricsAddress"] = "",
        };
    }

    [Theory]
    [InlineData("INT")]
    [InlineData("TERM")]
    public async Task A_signal_lets_the_partition_in_flight_commit_cancels_the_rest_prints_the_summary_and_exits_130(string signal)
    {
        var name = "signal_" + signal.ToLowerInvariant();
        var environment = await PrepareAsync(name, 2, "00:01:00");
        await using var connection = await env.DataSource.OpenConnectionAsync();
        using var run = Cli.Start(env.Folder, ["run", name], environment);
        var (runId, inFlight) = await MidRunAsync(connection, name, run);

        run.Signal(signal);
        var cancelRequested = await WaitForAsync(() => connection.ExecuteScalarAsync<bool>(
            "SELECT cancel_requested FROM scoring.runs WHERE run_id = @runId", new { runId }), TimeSpan.FromSeconds(5));
        var exitCode = await run.WaitAsync(TimeSpan.FromMinutes(1));

        Assert.True(cancelRequested, "the cancellation was not in the ledger within 5 s of the signal");
        Assert.True(exitCode == 130, $"exit {exitCode}:\n{run.Output}");
        Assert.True(run.Output.Contains($"Run {runId}: cancelled", StringComparison.Ordinal), run.Output);
        Assert.Equal("cancelled", await connection.ExecuteScalarAsync<string>("SELECT status FROM scoring.runs WHERE run_id = @runId", new { runId }));
        Assert.Equal("succeeded", await connection.ExecuteScalarAsync<string>("SELECT status FROM scoring.partitions WHERE partition_id = @inFlight", new { inFlight }));
        await AssertLedgerMatchesOutputAsync(connection, runId, name);
        // The last progress line counts the cancelled partitions apart, not as done.
        var (succeeded, cancelled) = await connection.QuerySingleAsync<(int, int)>(
            "SELECT count(*) FILTER (WHERE status = 'succeeded')::int, count(*) FILTER (WHERE status = 'cancelled')::int FROM scoring.partitions WHERE run_id = @runId", new { runId });
        Assert.Contains($"{succeeded}/{succeeded + cancelled} partitions (0 running, 0 failed, {cancelled} cancelled)", run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_partition_still_running_when_the_grace_is_over_is_rolled_back_and_cancelled()
    {
        var environment = await PrepareAsync("signal_grace", 6, "00:00:01");
        await using var connection = await env.DataSource.OpenConnectionAsync();
        using var run = Cli.Start(env.Folder, ["run", "signal_grace"], environment);
        var (runId, inFlight) = await MidRunAsync(connection, "signal_grace", run);

        run.Signal("INT");
        var exitCode = await run.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.True(exitCode == 130, $"exit {exitCode}:\n{run.Output}");
        Assert.True(run.Output.Contains($"Run {runId}: cancelled", StringComparison.Ordinal), run.Output);
        Assert.Equal("cancelled", await connection.ExecuteScalarAsync<string>("SELECT status FROM scoring.partitions WHERE partition_id = @inFlight", new { inFlight }));
        await AssertLedgerMatchesOutputAsync(connection, runId, "signal_grace");
    }

    [Fact]
    public async Task A_second_signal_exits_at_once_and_leaves_the_run_cancelled()
    {
        var environment = await PrepareAsync("signal_twice", 6, "00:01:00");
        await using var connection = await env.DataSource.OpenConnectionAsync();
        using var run = Cli.Start(env.Folder, ["run", "signal_twice"], environment);
        var (runId, _) = await MidRunAsync(connection, "signal_twice", run);

        run.Signal("INT");
        await WaitForAsync(() => connection.ExecuteScalarAsync<bool>(
            "SELECT cancel_requested FROM scoring.runs WHERE run_id = @runId", new { runId }), TimeSpan.FromSeconds(5));
        var second = DateTime.UtcNow;
        run.Signal("INT");
        var exitCode = await run.WaitAsync(TimeSpan.FromSeconds(20));

        Assert.True(exitCode == 130, $"exit {exitCode}:\n{run.Output}");
        Assert.True(DateTime.UtcNow - second < TimeSpan.FromSeconds(5), $"the second signal took {DateTime.UtcNow - second} to exit");
        Assert.Equal("cancelled", await connection.ExecuteScalarAsync<string>("SELECT status FROM scoring.runs WHERE run_id = @runId", new { runId }));
        await AssertLedgerMatchesOutputAsync(connection, runId, "signal_twice");
    }

    /// <summary>
    /// Waits until the run has a committed partition and another one being scored that was claimed after it committed;
    /// returns the run and that partition. (One claimed earlier may already be committing: a partition's commit
    /// overlaps the next one's read.)
    /// </summary>
    private static async Task<(long RunId, long InFlight)> MidRunAsync(NpgsqlConnection connection, string job, Cli process)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(3);
        while (DateTime.UtcNow < deadline)
        {
            var state = await connection.QuerySingleOrDefaultAsync<(long RunId, long Succeeded, long? Running)?>("""
                WITH p AS (SELECT * FROM scoring.partitions WHERE run_id = (SELECT max(run_id) FROM scoring.runs WHERE job_name = @job))
                SELECT run_id, count(*) FILTER (WHERE status = 'succeeded'),
                       max(partition_id) FILTER (WHERE status = 'running' AND started_at > (SELECT max(finished_at) FROM p WHERE status = 'succeeded'))
                FROM p GROUP BY run_id
                """, new { job });
            if (state is { Succeeded: >= 1, Running: { } running } s)
                return (s.RunId, running);
            if (process.HasExited)
                throw new Xunit.Sdk.XunitException($"The run exited {process.ExitCode} before it was mid-run:\n{process.Output}");
            await Task.Delay(50);
        }
        throw new TimeoutException($"The run never had a committed and a running partition:\n{process.Output}");
    }

    private static async Task<bool> WaitForAsync(Func<Task<bool>> probe, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (await probe())
                return true;
            await Task.Delay(50);
        }
        return false;
    }

    /// <summary>Every partition ended succeeded or cancelled (some of each), and the output holds exactly the committed partitions' rows.</summary>
    private static async Task AssertLedgerMatchesOutputAsync(NpgsqlConnection connection, long runId, string job)
    {
        var partitions = (await connection.QueryAsync<(string Status, long Rows)>(
            "SELECT status, rows_scored FROM scoring.partitions WHERE run_id = @runId", new { runId })).ToList();
        Assert.All(partitions, p => Assert.True(p.Status is "succeeded" or "cancelled", p.Status));
        Assert.Contains(partitions, p => p.Status == "succeeded");
        Assert.Contains(partitions, p => p.Status == "cancelled");
        Assert.Equal(partitions.Where(p => p.Status == "succeeded").Sum(p => p.Rows),
            await connection.ExecuteScalarAsync<long>($"SELECT count(*) FROM scored.{job}"));
    }
}
