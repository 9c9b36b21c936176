using System.Buffers.Binary;
using BatchScoring.Core.Batches;

namespace BatchScoring.Core.Scoring;

/// <summary>
/// <c>output.skip_unchanged</c> over a source that tells its changed rows (<see cref="IPartitionRead.ReadChangedAsync"/>):
/// a merge of the partition's kept pairs (key and fingerprint in key order, as <c>KeptFingerprints</c> stores them), its
/// keys now, and the rows read, all in key order. A kept key that is still in the source and was not read is unchanged
/// without being read (<see cref="MergeSplit.UnchangedUnread"/>); a kept key no longer in the source has left it
/// (<see cref="MergeSplit.Passed"/>); a row read is unchanged when its fingerprint is the kept one, else it is scored.
/// The keys in the source that were not kept (new rows, rows that failed last time) must be read with the changed rows:
/// <see cref="KeysNotKept"/>. The pairs of every unchanged row go to <c>unchanged</c>, in key order.
/// </summary>
public sealed class ChangedRowsMerge
{
    private readonly byte[] _kept;
    private readonly int _keptCount;
    private readonly long[] _keys;
    private readonly FingerprintPairs _unchanged;
    private int _k;
    private int _s;
    private long? _lastKey;

    /// <param name="kept">Pairs of little-endian int64 (key, fingerprint), ascending by key.</param>
    /// <param name="keys">The partition's keys now, ascending.</param>
    public ChangedRowsMerge(byte[] kept, long[] keys, FingerprintPairs unchanged)
    {
        _kept = kept;
        _keptCount = kept.Length / FingerprintPairs.PairSize;
        _keys = keys;
        _unchanged = unchanged;
    }

    /// <summary>The keys in the source now that have no kept pair, ascending.</summary>
    public IReadOnlyList<long> KeysNotKept()
    {
        var result = new List<long>();
        var k = 0;
        foreach (var key in _keys)
        {
            while (k < _keptCount && KeptKey(k) < key)
                k++;
            if (k == _keptCount || KeptKey(k) != key)
                result.Add(key);
        }
        return result;
    }

    /// <summary>Splits one batch of the rows read, given their fingerprints (<see cref="InputFingerprint"/>).</summary>
    public MergeSplit Split(BatchColumn key, ReadOnlySpan<long> fingerprints)
    {
        var changed = new List<int>();
        var unchanged = new List<int>();
        var unchangedKeys = new List<long>();
        var passed = new List<long>();
        var unread = 0;
        for (var row = 0; row < fingerprints.Length; row++)
        {
            // Out of key order (never, from a source that sorts by a unique key): scored, which costs work but is never wrong.
            if (FingerprintMerge.KeyOf(key, row) is not { } k || k <= _lastKey)
            {
                changed.Add(row);
                continue;
            }
            _lastKey = k;
            unread += Advance(k, passed);
            if (_s < _keys.Length && _keys[_s] == k)
                _s++;
            if (_k < _keptCount && KeptKey(_k) == k && KeptFingerprint(_k) == fingerprints[row])
            {
                unchanged.Add(row);
                unchangedKeys.Add(k);
                _unchanged.Add(k, fingerprints[row]);
            }
            else
                changed.Add(row);
            if (_k < _keptCount && KeptKey(_k) == k)
                _k++;
        }
        return new MergeSplit(changed, unchanged, unchangedKeys, new RowBatch([], 0), passed) { UnchangedUnread = unread };
    }

    /// <summary>After the last row read: the kept keys after it, unchanged or gone.</summary>
    public MergeSplit Finish()
    {
        var passed = new List<long>();
        var unread = Advance(long.MaxValue, passed, inclusive: true);
        return new MergeSplit([], [], [], new RowBatch([], 0), passed) { UnchangedUnread = unread };
    }

    /// <summary>Moves past the source's keys and the kept keys below (or up to) <paramref name="bound"/>; returns how many were kept and are still there.</summary>
    private int Advance(long bound, List<long> passed, bool inclusive = false)
    {
        var unread = 0;
        while (_s < _keys.Length && (_keys[_s] < bound || (inclusive && _keys[_s] == bound)))
        {
            var key = _keys[_s++];
            while (_k < _keptCount && KeptKey(_k) < key)
                passed.Add(KeptKey(_k++));
            if (_k < _keptCount && KeptKey(_k) == key)
            {
                _unchanged.Add(key, KeptFingerprint(_k++));
                unread++;
            }
        }
        while (_k < _keptCount && (KeptKey(_k) < bound || (inclusive && KeptKey(_k) == bound)))
            passed.Add(KeptKey(_k++));
        return unread;
    }

    private long KeptKey(int pair) => BinaryPrimitives.ReadInt64LittleEndian(_kept.AsSpan(pair * FingerprintPairs.PairSize));

    private long KeptFingerprint(int pair) => BinaryPrimitives.ReadInt64LittleEndian(_kept.AsSpan(pair * FingerprintPairs.PairSize + 8));
}
