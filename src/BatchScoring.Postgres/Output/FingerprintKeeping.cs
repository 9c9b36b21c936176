using BatchScoring.Core.Scoring;

namespace BatchScoring.Postgres.Output;

/// <summary>
/// One partition attempt's part in <see cref="KeptFingerprints"/>: the output table's generation seen before its stored
/// rows were read (none on a first write, which reads none), whether they came from kept pairs, and the pairs of the
/// rows it leaves in the table: the unchanged ones, collected by the read stage, and the written ones, by the sink.
/// </summary>
public sealed class FingerprintKeeping
{
    public FingerprintPairs Unchanged { get; } = new(KeptFingerprints.RowLimit);

    public FingerprintPairs Written { get; } = new(KeptFingerprints.RowLimit);

    public long? GenerationSeen { get; internal set; }

    public bool ReadKept { get; internal set; }
}
