using BatchScoring.Core.Scoring;

namespace BatchScoring.Postgres.Output;

/// <summary>
/// How a run's partitions write their output table (<see cref="OutputWrite"/>). <b>Direct</b>: append tables and
/// upsert tables that were empty when the run started (a first backfill), where no key can conflict. <b>Replace</b>
/// (upsert with <c>output.replace: partition</c>): partitions that name their rows by key range and time slice only
/// — not a hash bucket, not a Parquet file — delete the rows of their range and COPY directly. <b>Merge</b>: every
/// other partition. The first key conflict on the direct or replace path switches the whole run (in this process)
/// to merging. <b>Run</b> (<c>output.replace: run</c>): every partition COPYs into the run's partition of the table.
/// </summary>
public sealed class OutputWritePath(bool direct, bool replace = false, bool byRun = false)
{
    private volatile bool _direct = direct;
    private volatile bool _replace = replace;

    public bool Direct => _direct;

    public static OutputWritePath Merge() => new(direct: false);

    public static OutputWritePath ByRun() => new(direct: false, byRun: true);

    /// <summary>The same path, with replaceable partitions of a non-empty table replaced (<see cref="OutputWrite.Replace"/>).</summary>
    public OutputWritePath Replacing() => new(_direct, replace: true);

    public OutputWrite For(PartitionBounds bounds)
        => byRun ? OutputWrite.Run
            : _direct ? OutputWrite.Direct
            : _replace && bounds.File is null && bounds.HashBuckets == 1 ? OutputWrite.Replace
            : OutputWrite.Merge;

    public void FallBackToMerge()
    {
        _direct = false;
        _replace = false;
    }
}
