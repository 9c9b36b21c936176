using BatchScoring.Core.Runs;
using BatchScoring.Postgres.Ledger;
using Npgsql;

namespace BatchScoring.Testing;

/// <summary>Runs recorded the way the service records them, for tests that need a run in the ledger.</summary>
public static class TestRuns
{
    /// <summary>A running run without partitions (it stays in progress until finished), through the same guarded insert as real runs.</summary>
    public static Task<long> StartAsync(NpgsqlDataSource dataSource, RunStart start, CancellationToken cancellationToken)
        => new RunLedger(dataSource).CreateRunAsync(
            new NewRun(start, start.Window, null, "(test)", null, MaxAttempts: 1, MaxConcurrency: 0, Deadline: null, Partitions: []),
            cancellationToken);

    /// <summary>Ends a run as failed, as a worker does when a run breaks before any partition.</summary>
    public static async Task FailAsync(NpgsqlDataSource dataSource, long runId, string error)
    {
        await using var command = dataSource.CreateCommand(
            "UPDATE scoring.runs SET status = 'failed', error = $1, finished_at = clock_timestamp() WHERE run_id = $2");
        command.Parameters.Add(new() { Value = error });
        command.Parameters.Add(new() { Value = runId });
        await command.ExecuteNonQueryAsync();
    }
}
