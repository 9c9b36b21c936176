namespace BatchScoring.Core.Runs;

/// <summary>Partition states as stored in <c>scoring.partitions.status</c>.</summary>
public static class PartitionStatus
{
    public const string Pending = "pending";
    public const string Running = "running";
    public const string Succeeded = "succeeded";
    public const string Failed = "failed";
    public const string Cancelled = "cancelled";

    /// <summary>Whether a partition in <paramref name="status"/> will not be scored again (unless its run is reopened).</summary>
    public static bool IsFinished(string status) => status is Succeeded or Failed or Cancelled;
}
