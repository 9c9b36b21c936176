using BatchScoring.Core.Runs;
using BatchScoring.Postgres.Ledger;
using BatchScoring.Postgres.Migrations;
using BatchScoring.Testing;
using Microsoft.Extensions.Logging.Abstractions;

namespace BatchScoring.Postgres.Tests;

/// <summary>The ledger refuses a second active run of one job, whichever process asks.</summary>
public class RunLedgerGuardTests(PostgresDatabase database) : IClassFixture<PostgresDatabase>
{
    private async Task<RunLedger> LedgerAsync()
    {
        await new MigrationRunner(database.DataSource, NullLogger<MigrationRunner>.Instance).ApplyAsync(CancellationToken.None);
        return new RunLedger(database.DataSource);
    }

    [Fact]
    public async Task A_second_run_of_a_job_in_progress_is_refused_with_the_active_run_named()
    {
        var ledger = await LedgerAsync();
        var window = new TimeWindow(new DateTime(2026, 3, 29, 0, 0, 0, DateTimeKind.Utc), new DateTime(2026, 3, 30, 0, 0, 0, DateTimeKind.Utc));
        var first = await TestRuns.StartAsync(database.DataSource, new RunStart("guarded", RunTrigger.Schedule, "m", "v1", null, window), CancellationToken.None);

        var refused = await Assert.ThrowsAsync<RunInProgressException>(() =>
            TestRuns.StartAsync(database.DataSource, new RunStart("guarded", RunTrigger.Manual, "m", "v1", null), CancellationToken.None));
        Assert.Equal(first, refused.ActiveRunId);
        Assert.StartsWith($"Job 'guarded' already has run {first} in progress (running since ", refused.Message);

        // Another job is not affected, and once the run ends the job may run again.
        await TestRuns.StartAsync(database.DataSource, new RunStart("other", RunTrigger.Manual, null, null, null), CancellationToken.None);
        await TestRuns.FailAsync(database.DataSource, first, "boom");
        var next = await TestRuns.StartAsync(database.DataSource, new RunStart("guarded", RunTrigger.Retry, "m", "v1", null), CancellationToken.None);
        Assert.True(next > first);

        var stored = await ledger.GetAsync(first, CancellationToken.None);
        Assert.Equal((window.StartUtc, window.EndUtc), (stored!.WindowStart, stored.WindowEnd));
    }

    [Fact]
    public async Task Concurrent_starts_of_one_job_let_exactly_one_win()
    {
        var ledger = await LedgerAsync();
        var attempts = await Task.WhenAll(Enumerable.Range(0, 8).Select(async _ =>
        {
            try
            {
                return (long?)await TestRuns.StartAsync(database.DataSource, new RunStart("race", RunTrigger.Schedule, null, null, null), CancellationToken.None);
            }
            catch (RunInProgressException)
            {
                return null;
            }
        }));
        Assert.Single(attempts, a => a is not null);
    }
}
