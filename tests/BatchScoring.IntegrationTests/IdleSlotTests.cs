using System.Diagnostics;
using BatchScoring.Core.Runs;
using BatchScoring.Core.Synthetic;
using BatchScoring.Postgres.Copy;
using BatchScoring.Worker.Execution;
using Dapper;
using Microsoft.Extensions.DependencyInjection;

namespace BatchScoring.IntegrationTests;

/// <summary>
/// A run started here returns when its last partition commits, not up to <c>Worker:PollInterval</c> later: a slot
/// that found nothing to claim while another still scored is woken when that one ends its attempt.
/// </summary>
public class IdleSlotTests(ScoringEnvironment env) : IClassFixture<ScoringEnvironment>
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task A_run_whose_other_slot_idles_returns_when_its_last_partition_commits()
    {
        const string name = "idle_slot";
        await using (var connection = await env.DataSource.OpenConnectionAsync())
        {
            await connection.ExecuteAsync($"CREATE TABLE public.{name} ({SyntheticChurnData.TableDefinition})");
            // Skewed keys: the lower of the two key ranges holds 100 rows, the upper 40,000, so one slot is idle early.
            await BinaryCopyWriter.CopyAsync(connection, $"public.{name}", SyntheticChurnData.Generate(100, seed: 3).ToAsyncEnumerable(), CancellationToken.None);
            await BinaryCopyWriter.CopyAsync(connection, $"public.{name}",
                SyntheticChurnData.Generate(40_000, seed: 4, firstKey: 1_000_000).ToAsyncEnumerable(), CancellationToken.None);
        }
        var (host, _, job) = await RerunJobs.PrepareAsync(env, name, RerunJobs.Job(name, "  mode: upsert").Replace("buckets: 4", "buckets: 2", StringComparison.Ordinal));
        host.Dispose();
        using var slow = await env.HostAsync(("Worker:PollInterval", PollInterval.ToString()));
        var stopwatch = Stopwatch.StartNew();

        var outcome = await slow.Services.GetRequiredService<JobRunner>().RunAsync(job, new RunRequest(RunTrigger.Manual, Slots: 2), CancellationToken.None);

        Assert.Equal(RunStatus.Succeeded, outcome.Status);
        Assert.Equal(40_100, outcome.RowsScored);
        Assert.True(stopwatch.Elapsed < PollInterval / 2, $"the run returned after {stopwatch.Elapsed.TotalSeconds:F1} s, as if its idle slot slept out the {PollInterval.TotalSeconds} s poll interval");
    }
}
