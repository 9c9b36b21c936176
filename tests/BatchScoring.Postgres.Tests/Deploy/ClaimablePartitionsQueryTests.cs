using BatchScoring.Core.Runs;
using BatchScoring.Postgres.Migrations;
using BatchScoring.Testing;
using Dapper;
using Microsoft.Extensions.Logging.Abstractions;

namespace BatchScoring.Postgres.Tests.Deploy;

/// <summary>KEDA's query (deploy/kubernetes/claimable-partitions.sql) counts exactly the partitions a worker could claim now.</summary>
public class ClaimablePartitionsQueryTests(PostgresDatabase database) : IClassFixture<PostgresDatabase>
{
    [Fact]
    public async Task The_scaler_query_counts_due_pending_and_expired_lease_partitions_of_running_runs()
    {
        await new MigrationRunner(database.DataSource, NullLogger<MigrationRunner>.Instance).ApplyAsync(CancellationToken.None);
        var running = await TestRuns.StartAsync(database.DataSource, new RunStart("keda-running", RunTrigger.Manual, null, null, null), CancellationToken.None);
        var failed = await TestRuns.StartAsync(database.DataSource, new RunStart("keda-failed", RunTrigger.Manual, null, null, null), CancellationToken.None);
        await using var connection = await database.DataSource.OpenConnectionAsync();
        await connection.ExecuteAsync(
            """
            INSERT INTO scoring.partitions (run_id, partition_key, status, next_attempt_at, lease_owner, lease_expires_at) VALUES
                (@running, 'due-1', 'pending', NULL, NULL, NULL),
                (@running, 'due-2', 'pending', now() - interval '1 minute', NULL, NULL),
                (@running, 'backing-off', 'pending', now() + interval '1 hour', NULL, NULL),
                (@running, 'expired-lease', 'running', NULL, 'gone', now() - interval '1 minute'),
                (@running, 'live-lease', 'running', NULL, 'alive', now() + interval '1 minute'),
                (@running, 'done', 'succeeded', NULL, NULL, NULL),
                (@failed, 'orphan', 'pending', NULL, NULL, NULL)
            """, new { running, failed });
        await TestRuns.FailAsync(database.DataSource, failed, "boom");

        var query = await File.ReadAllTextAsync(Path.Combine(RepositoryRoot.Path, "deploy", "kubernetes", "claimable-partitions.sql"));
        Assert.Equal(3, await connection.ExecuteScalarAsync<long>(query));
    }

    [Fact]
    public async Task The_scaled_object_asks_the_same_query()
    {
        var folder = Path.Combine(RepositoryRoot.Path, "deploy", "kubernetes");
        var sql = (await File.ReadAllLinesAsync(Path.Combine(folder, "claimable-partitions.sql"))).Where(line => !line.StartsWith("--", StringComparison.Ordinal));
        var yaml = await File.ReadAllLinesAsync(Path.Combine(folder, "scaledobject.yaml"));
        var start = Array.FindIndex(yaml, line => line.TrimEnd().EndsWith("query: >-", StringComparison.Ordinal));
        Assert.True(start >= 0, "scaledobject.yaml has no `query: >-` block");
        var indent = yaml[start + 1].Length - yaml[start + 1].TrimStart().Length;
        var folded = yaml.Skip(start + 1).TakeWhile(line => line.Length - line.TrimStart().Length >= indent && line.Trim().Length > 0);
        Assert.Equal(Normalized(sql), Normalized(folded));
    }

    private static string Normalized(IEnumerable<string> lines) =>
        string.Join(' ', string.Join(' ', lines).Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
}
