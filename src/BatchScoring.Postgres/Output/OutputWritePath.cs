namespace BatchScoring.Postgres.Output;

/// <summary>
/// How a run's partitions write their output table. <b>Direct</b>: binary COPY straight into the table
/// inside the partition's transaction — the fast path, taken by append tables and by upsert tables
/// that were empty when the run started (a first backfill), where no key can conflict. <b>Merge</b>:
/// COPY into a temporary staging table, then an upsert merge. The first key conflict on the direct
/// path switches the whole run (in this process) to merging.
/// </summary>
public sealed class OutputWritePath(bool direct)
{
    private volatile bool _direct = direct;

    public bool Direct => _direct;

    public static OutputWritePath Merge() => new(direct: false);

    public void FallBackToMerge() => _direct = false;
}
