using Npgsql;

namespace BatchScoring.Postgres.Commit;

/// <summary>Opens the <see cref="PartitionCommit"/> of a partition attempt, on a connection of its own.</summary>
public sealed class PartitionCommits(NpgsqlDataSource dataSource)
{
    public Task<PartitionCommit> BeginAsync(PartitionCommitPlan plan, CancellationToken cancellationToken)
        => PartitionCommit.BeginAsync(dataSource, plan, cancellationToken);
}
