using System.Buffers.Binary;
using BatchScoring.Core.Batches;

namespace BatchScoring.Core.Scoring;

/// <summary>
/// The key and input fingerprint of rows a partition leaves in its output table (<c>output.skip_unchanged</c>), collected
/// in any order by one stage and encoded sorted by key, one pair per key, as little-endian int64 pairs: the layout of
/// <c>scoring.kept_fingerprints.pairs</c>. Past <paramref name="limit"/> rows it stops collecting (<see cref="Overflowed"/>),
/// so the memory it takes stays bounded whatever the partition's size.
/// </summary>
public sealed class FingerprintPairs(int limit)
{
    public const int PairSize = 16;

    private long[] _keys = [];
    private long[] _fingerprints = [];

    public int Count { get; private set; }

    /// <summary>More rows came than <c>limit</c>: nothing is kept.</summary>
    public bool Overflowed { get; private set; }

    public void Add(long key, long fingerprint)
    {
        if (Overflowed)
            return;
        if (Count == limit)
        {
            Overflowed = true;
            _keys = _fingerprints = [];
            return;
        }
        if (Count == _keys.Length)
        {
            var size = Math.Min(Math.Max(_keys.Length * 2, 1024), limit);
            Array.Resize(ref _keys, size);
            Array.Resize(ref _fingerprints, size);
        }
        _keys[Count] = key;
        _fingerprints[Count] = fingerprint;
        Count++;
    }

    /// <summary>The rows of an integer key column whose key is not null, with their fingerprints.</summary>
    public void Add(BatchColumn key, ReadOnlySpan<long> fingerprints)
    {
        for (var row = 0; row < fingerprints.Length; row++)
            if (!key.IsNull(row))
                Add(key switch
                {
                    BatchColumn<long> l => l.Values[row],
                    BatchColumn<int> i => i.Values[row],
                    BatchColumn<short> s => s.Values[row],
                    _ => throw new InvalidOperationException($"output.skip_unchanged needs an integer key; '{key.Name}' is {key.Kind}."),
                }, fingerprints[row]);
    }

    /// <summary>
    /// The pairs of both collections sorted by key; null when either overflowed or a key came twice (a source with
    /// duplicate keys, whose commit fails anyway).
    /// </summary>
    public static byte[]? Encode(FingerprintPairs first, FingerprintPairs second)
    {
        if (first.Overflowed || second.Overflowed)
            return null;
        var count = first.Count + second.Count;
        var keys = new long[count];
        var fingerprints = new long[count];
        first._keys.AsSpan(0, first.Count).CopyTo(keys);
        second._keys.AsSpan(0, second.Count).CopyTo(keys.AsSpan(first.Count));
        first._fingerprints.AsSpan(0, first.Count).CopyTo(fingerprints);
        second._fingerprints.AsSpan(0, second.Count).CopyTo(fingerprints.AsSpan(first.Count));
        Array.Sort(keys, fingerprints);
        var bytes = new byte[count * PairSize];
        for (var i = 0; i < count; i++)
        {
            if (i > 0 && keys[i] == keys[i - 1])
                return null;
            BinaryPrimitives.WriteInt64LittleEndian(bytes.AsSpan(i * PairSize), keys[i]);
            BinaryPrimitives.WriteInt64LittleEndian(bytes.AsSpan(i * PairSize + 8), fingerprints[i]);
        }
        return bytes;
    }

    /// <summary>Encoded pairs back as batches of (<paramref name="keyColumn"/>, <see cref="InputFingerprint.Column"/>).</summary>
    public static IEnumerable<RowBatch> Decode(byte[] pairs, ColumnSchema keyColumn, int batchSize)
    {
        var count = pairs.Length / PairSize;
        for (var start = 0; start < count; start += batchSize)
        {
            var size = Math.Min(batchSize, count - start);
            var batch = new RowBatch([keyColumn, InputFingerprint.Column], size) { Count = size };
            var keys = ((BatchColumn<long>)batch.Columns[0]).Values;
            var fingerprints = ((BatchColumn<long>)batch.Columns[1]).Values;
            for (var row = 0; row < size; row++)
            {
                var at = (start + row) * PairSize;
                keys[row] = BinaryPrimitives.ReadInt64LittleEndian(pairs.AsSpan(at));
                fingerprints[row] = BinaryPrimitives.ReadInt64LittleEndian(pairs.AsSpan(at + 8));
            }
            yield return batch;
        }
    }
}
