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
    /// duplicate keys, whose commit fails anyway). Each collection is sorted only when it is out of order (the read
    /// stage collects in key order), then the two are merged.
    /// </summary>
    public static byte[]? Encode(FingerprintPairs first, FingerprintPairs second)
    {
        if (first.Overflowed || second.Overflowed)
            return null;
        first.SortByKey();
        second.SortByKey();
        var bytes = new byte[(first.Count + second.Count) * PairSize];
        int i = 0, j = 0;
        for (var at = 0; at < bytes.Length; at += PairSize)
        {
            var fromFirst = j == second.Count || (i < first.Count && first._keys[i] < second._keys[j]);
            var (key, fingerprint) = fromFirst ? (first._keys[i], first._fingerprints[i++]) : (second._keys[j], second._fingerprints[j++]);
            if (at > 0 && key == BinaryPrimitives.ReadInt64LittleEndian(bytes.AsSpan(at - PairSize)))
                return null;
            BinaryPrimitives.WriteInt64LittleEndian(bytes.AsSpan(at), key);
            BinaryPrimitives.WriteInt64LittleEndian(bytes.AsSpan(at + 8), fingerprint);
        }
        return bytes;
    }

    private void SortByKey()
    {
        for (var i = 1; i < Count; i++)
        {
            if (_keys[i] < _keys[i - 1])
            {
                Array.Sort(_keys, _fingerprints, 0, Count);
                return;
            }
        }
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
