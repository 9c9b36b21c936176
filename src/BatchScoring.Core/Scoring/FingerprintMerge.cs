using System.Runtime.CompilerServices;
using System.Threading.Channels;
using BatchScoring.Core.Batches;

namespace BatchScoring.Core.Scoring;

/// <summary>
/// <c>output.skip_unchanged</c>: a streamed merge join of a partition's source rows with the rows already stored for
/// its keys (key, fingerprint, score columns, in key order, see <c>StoredFingerprints</c>). A source row whose key has a
/// stored row with the same fingerprint is unchanged; every other row is scored. The stored rows are read ahead on
/// their own task into a bounded channel, so the export overlaps the source's read and memory stays at a few batches.
/// The source is asked for its rows in key order (<see cref="PartitionBounds.InKeyOrder"/>); still, a source row that
/// arrives out of key order (its key not above the previous row's) is scored as if new: the stored
/// rows before the cursor have been passed, so the row is not skipped, which costs work but never a wrong result.
/// Stored keys passed without a source row of theirs are reported as <see cref="MergeSplit.Passed"/>: keys that left
/// the source, or that come later out of order (and are then scored and written again).
/// </summary>
public sealed class FingerprintMerge : IAsyncDisposable
{
    private readonly Channel<RowBatch> _stored;
    private readonly Task _reading;
    private readonly CancellationTokenSource _stop;
    private readonly IReadOnlyList<ColumnSchema> _scoreColumns;
    private RowBatch? _current;
    private int _position;
    private bool _exhausted;
    private long? _lastKey;

    /// <param name="stored">Batches of (key bigint, fingerprint bigint, score columns…) in ascending key order.</param>
    public FingerprintMerge(IAsyncEnumerable<RowBatch> stored, IReadOnlyList<ColumnSchema> scoreColumns, int depth, CancellationToken cancellationToken)
    {
        _scoreColumns = scoreColumns;
        _stored = Channel.CreateBounded<RowBatch>(Math.Max(1, depth));
        _stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        _reading = Task.Run(() => ReadAheadAsync(stored, _stop.Token), _stop.Token);
    }

    private async Task ReadAheadAsync(IAsyncEnumerable<RowBatch> stored, CancellationToken cancellationToken)
    {
        try
        {
            await foreach (var batch in stored.WithCancellation(cancellationToken))
                await _stored.Writer.WriteAsync(batch, cancellationToken);
            _stored.Writer.Complete();
        }
        catch (Exception e)
        {
            _stored.Writer.Complete(e);
        }
    }

    /// <summary>Splits one source batch by its rows' keys and fingerprints (<see cref="InputFingerprint"/>), in the order the source sent them.</summary>
    public async ValueTask<MergeSplit> SplitAsync(BatchColumn key, ReadOnlyMemory<long> fingerprints, CancellationToken cancellationToken)
    {
        var count = fingerprints.Length;
        var changed = new List<int>();
        var unchanged = new List<int>();
        var unchangedKeys = new List<long>();
        var passed = new List<long>();
        var outputs = new RowBatch(_scoreColumns, Math.Max(1, count));
        for (var row = 0; row < count; row++)
        {
            if (KeyOf(key, row) is not { } k || k <= _lastKey)
            {
                changed.Add(row);
                continue;
            }
            _lastKey = k;
            while (await CurrentAsync(cancellationToken) is { } stored && StoredKey(stored) < k)
            {
                passed.Add(StoredKey(stored));
                _position++;
            }
            if (await CurrentAsync(cancellationToken) is { } match && StoredKey(match) == k)
            {
                var fingerprint = match.Columns[1];
                if (!fingerprint.IsNull(_position) && ((BatchColumn<long>)fingerprint).Values[_position] == fingerprints.Span[row])
                {
                    for (var c = 0; c < _scoreColumns.Count; c++)
                        match.Columns[c + 2].CopyTo(_position, outputs.Columns[c], unchanged.Count, 1);
                    unchanged.Add(row);
                    unchangedKeys.Add(k);
                }
                else
                    changed.Add(row);
                _position++;
            }
            else
                changed.Add(row);
        }
        outputs.Count = unchanged.Count;
        return new MergeSplit(changed, unchanged, unchangedKeys, outputs, passed);
    }

    /// <summary>The stored keys after the source's last row, in batches: none of them was in the source in key order.</summary>
    public async IAsyncEnumerable<long[]> RemainingAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        while (await CurrentAsync(cancellationToken) is { } stored)
        {
            var keys = ((BatchColumn<long>)stored.Columns[0]).Values.AsSpan(_position, stored.Count - _position).ToArray();
            _position = stored.Count;
            yield return keys;
        }
    }

    private long StoredKey(RowBatch stored) => ((BatchColumn<long>)stored.Columns[0]).Values[_position];

    internal static long? KeyOf(BatchColumn key, int row) => key.IsNull(row) ? null : key switch
    {
        BatchColumn<long> l => l.Values[row],
        BatchColumn<int> i => i.Values[row],
        BatchColumn<short> s => s.Values[row],
        _ => throw new InvalidOperationException($"output.skip_unchanged needs an integer key; '{key.Name}' is {key.Kind}."),
    };

    /// <summary>The stored batch holding the cursor, reading the next when the current one is used up; null at the end.</summary>
    private async ValueTask<RowBatch?> CurrentAsync(CancellationToken cancellationToken)
    {
        while (!_exhausted && (_current is null || _position >= _current.Count))
        {
            if (await _stored.Reader.WaitToReadAsync(cancellationToken) && _stored.Reader.TryRead(out var next))
            {
                _current = next;
                _position = 0;
            }
            else if (_stored.Reader.Completion.IsCompleted)
            {
                await _stored.Reader.Completion;
                _exhausted = true;
                _current = null;
            }
        }
        return _exhausted ? null : _current;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _reading.ContinueWith(_ => { }, TaskScheduler.Default);
        _stop.Dispose();
    }
}

/// <summary>
/// One source batch split by <see cref="FingerprintMerge"/> or <see cref="ChangedRowsMerge"/>: the rows to score and the
/// unchanged rows (ascending row numbers), the unchanged rows' keys and stored score columns (row for row), the stored
/// keys the merge passed over, and (<see cref="ChangedRowsMerge"/> only) the kept rows before the batch's last key that
/// were unchanged and so not read.
/// </summary>
public sealed record MergeSplit(IReadOnlyList<int> Changed, IReadOnlyList<int> Unchanged, IReadOnlyList<long> UnchangedKeys, RowBatch UnchangedOutputs,
    IReadOnlyList<long> Passed)
{
    public int UnchangedUnread { get; init; }
}
