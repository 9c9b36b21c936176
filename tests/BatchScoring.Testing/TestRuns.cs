using BatchScoring.Postgres.Ledger;
using Npgsql;

namespace BatchScoring.Testing;

/// <summary>Runs recorded the way the service records them, for tests that need a run in the ledger.</summary>
public static class TestRuns
{
    /// <summary>A running run without partitions (it stays in progress until finished), through the same guarded insert as real runs.</summary>
    public static Task<long> StartAsync(NpgsqlDataSource dataSource, RunStart start, CancellationToken cancellationToken)
        => new PartitionLedger(dataSource).CreateRunAsync(
            new NewRun(start, start.Window, null, "(test)", null, MaxAttempts: 1, MaxConcurrency: 0, Deadline: null, Partitions: []),
            cancellationToken);
}
