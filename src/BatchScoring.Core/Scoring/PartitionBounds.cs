using System.Globalization;

namespace BatchScoring.Core.Scoring;

/// <summary>
/// The slice of a source that one partition reads: a time slice and either a key range (of a single integer
/// key) or a hash bucket of the key (PostgreSQL sources), or a file and a range of its row groups (Parquet sources).
/// </summary>
public sealed record PartitionBounds
{
    public static readonly PartitionBounds Everything = new();

    /// <summary>Inclusive start of the time slice on the source's timestamp column (UTC).</summary>
    public DateTime? WindowStart { get; init; }
    /// <summary>Exclusive end of the time slice (UTC).</summary>
    public DateTime? WindowEnd { get; init; }
    /// <summary>Which hash bucket of the key (from 0) of <see cref="HashBuckets"/> the partition reads.</summary>
    public int HashBucket { get; init; }
    public int HashBuckets { get; init; } = 1;
    /// <summary>Which key range (from 0) of <see cref="KeyRanges"/> the partition reads, from <see cref="KeyFrom"/> to <see cref="KeyTo"/>.</summary>
    public int KeyRange { get; init; }
    public int KeyRanges { get; init; } = 1;
    /// <summary>Inclusive start of the key range; null for the first range (open-ended) or without a key range.</summary>
    public long? KeyFrom { get; init; }
    /// <summary>Exclusive end of the key range; null for the last range (open-ended) or without a key range.</summary>
    public long? KeyTo { get; init; }

    /// <summary>
    /// The rows whose timestamp column is null, in a run sliced by time without a window: they belong to no
    /// slice, so they get partitions of their own (with <see cref="WindowStart"/> and <see cref="WindowEnd"/> null).
    /// </summary>
    public bool TimestampIsNull { get; init; }

    /// <summary>Whether the partition reads a key range (<see cref="KeyFrom"/>/<see cref="KeyTo"/>); a single range bounds nothing.</summary>
    public bool IsKeyRange => KeyFrom is not null || KeyTo is not null;

    /// <summary>
    /// Read the rows in key order (<c>output.skip_unchanged</c>, which merges them with the stored rows by key); a
    /// source that cannot order them (Parquet files) ignores it. Not part of <see cref="Key"/>: it changes no row read.
    /// </summary>
    public bool InKeyOrder { get; init; }
    public string? File { get; init; }
    /// <summary>Inclusive first row group of <see cref="File"/>.</summary>
    public int? RowGroupStart { get; init; }
    /// <summary>Exclusive last row group of <see cref="File"/>.</summary>
    public int? RowGroupEnd { get; init; }

    /// <summary>
    /// A stable name, unique within a run, e.g. <c>2026-09-01T00:00Z/b1of4</c>, <c>timestamp-null/b1of4</c>, <c>2026-09-01T00:00Z/keys[250001,500001)</c>
    /// or <c>data/a.parquet#rg0-2</c>.
    /// </summary>
    public string Key
    {
        get
        {
            var parts = new List<string>(3);
            if (WindowStart is { } start)
                parts.Add(start.ToString("yyyy-MM-dd'T'HH:mm'Z'", CultureInfo.InvariantCulture));
            if (TimestampIsNull)
                parts.Add("timestamp-null");
            if (File is not null)
                parts.Add(RowGroupStart is { } first ? $"{File}#rg{first}-{RowGroupEnd - 1}" : File);
            // A key range is named by its bounds, not only its number: ranges are cut from the keys present when a run
            // is planned, so "the second of four" of a later run may cover other keys, and must not be taken for done.
            if (IsKeyRange)
                parts.Add(string.Create(CultureInfo.InvariantCulture, $"keys[{KeyFrom},{KeyTo})"));
            else if (HashBuckets > 1)
                parts.Add($"b{HashBucket}of{HashBuckets}");
            return parts.Count == 0 ? "all" : string.Join('/', parts);
        }
    }
}

/// <summary>A partition a source proposes for a run, with its estimated row count (for dry runs and progress).</summary>
public sealed record PlannedPartition(PartitionBounds Bounds, long? EstimatedRows);
