using BatchScoring.Core.Scoring;

namespace BatchScoring.Postgres.Output;

/// <summary>
/// One partition attempt's part in <see cref="KeptFingerprints"/>: the output table's generation seen before its stored
/// rows were read (none on a first write, which reads none), the kept pairs it read if any, its source read's mark, and the pairs of the
/// rows it leaves in the table: the unchanged ones, collected by the read stage, and the written ones, by the sink.
/// </summary>
public sealed class FingerprintKeeping
{
    public FingerprintPairs Unchanged { get; } = new(KeptFingerprints.RowLimit);

    public FingerprintPairs Written { get; } = new(KeptFingerprints.RowLimit);

    public long? GenerationSeen { get; internal set; }

    /// <summary>The pairs kept by the partition's last commit, when they are current; null when its stored rows came from the table.</summary>
    public KeptPairs? Kept { get; internal set; }

    /// <summary>Where this attempt's source read stood (<see cref="IPartitionRead.Mark"/>), kept with the pairs.</summary>
    public ReadMark? Mark { get; set; }
}

/// <summary>A partition's kept pairs (<see cref="FingerprintPairs"/>' encoding) and the mark of the source read they came from.</summary>
public sealed record KeptPairs(byte[] Pairs, ReadMark? Mark);
