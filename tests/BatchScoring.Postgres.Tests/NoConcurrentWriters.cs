namespace BatchScoring.Postgres.Tests;

/// <summary>
/// Tests that read only the rows written since a snapshot's <c>xmin</c> (<c>IPartitionRead.ReadChangedAsync</c>) run alone,
/// after the parallel ones: a write transaction of another test that stays open across their first read holds that
/// <c>xmin</c> back (it is cluster-wide), and their next read then rightly counts the rows written after it as changed too.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class NoConcurrentWriters
{
    public const string Name = "No concurrent writers";
}
