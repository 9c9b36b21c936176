namespace BatchScoring.Core.Drift.Sketches;

/// <summary>
/// A uniform sample of at most <see cref="Capacity"/> values: those of the rows with the smallest
/// row-key hashes. The k smallest hashes of a union are the k smallest of the parts' k smallest, so
/// merging the samples of any split of the data gives exactly the sample of the whole data.
/// </summary>
public sealed class BottomKSample
{
    // Max-heap on the hash (the comparer is reversed) so the largest kept hash is evicted first.
    private readonly PriorityQueue<(ulong Hash, double Value), (ulong Hash, double Value)> _heap =
        new(Comparer<(ulong Hash, double Value)>.Create((a, b) => b.CompareTo(a)));

    public BottomKSample(int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        Capacity = capacity;
    }

    public int Capacity { get; }
    public int Count => _heap.Count;

    public void Add(ulong hash, double value)
    {
        var entry = (hash, value);
        if (_heap.Count < Capacity)
            _heap.Enqueue(entry, entry);
        else if (entry.CompareTo(_heap.Peek()) < 0)
            _heap.EnqueueDequeue(entry, entry);
    }

    public void Merge(BottomKSample other)
    {
        foreach (var (entry, _) in other._heap.UnorderedItems)
            Add(entry.Hash, entry.Value);
    }

    /// <summary>The kept entries ordered by hash (a canonical order, the same however the data was split).</summary>
    public (ulong Hash, double Value)[] Entries()
    {
        var entries = _heap.UnorderedItems.Select(i => i.Element).ToArray();
        Array.Sort(entries);
        return entries;
    }

    public double[] Values() => Entries().Select(e => e.Value).ToArray();
}
