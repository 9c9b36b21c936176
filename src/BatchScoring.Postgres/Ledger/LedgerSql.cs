using BatchScoring.Core.Runs;

namespace BatchScoring.Postgres.Ledger;

/// <summary>SQL fragments that run and lease statements share.</summary>
internal static class LedgerSql
{
    /// <summary>
    /// A run still in progress. No run is 'pending' any more, but the unique index of sql/005_run_overlap_guard.sql
    /// names it, and <c>ON CONFLICT</c> finds that index only by the same predicate.
    /// </summary>
    public const string RunInProgress = $"status IN ('pending', '{RunStatus.Running}')";

    /// <summary>The error recorded for a partition or run stopped by a cancellation (a SQL literal).</summary>
    public const string CancelledError = "'cancelled'";
}
