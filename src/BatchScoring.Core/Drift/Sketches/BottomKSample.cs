namespace BatchScoring.Core.Drift.Sketches;

/// <summary>
/// A uniform sample of at most <see cref="Capacity"/> values: those of the rows with the smallest
/// row-key hashes. The k smallest hashes of a union are the k smallest of the parts' k smallest, so
/// merging the samples of any split of the data gives exactly the sample of the whole data.
/// </summary>
/// <remarks>
/// A binary max-heap on (hash, value) in two arrays, so the largest kept entry is evicted first. Written by hand rather
/// than with <see cref="PriorityQueue{TElement, TPriority}"/>, whose comparer delegate over tuples made the heap's
/// sift-downs the largest part of a drift sketch's update (docs/BENCHMARKS.md, issue 18's drift ratio).
/// </remarks>
public sealed class BottomKSample
{
    private readonly ulong[] _hashes;
    private readonly double[] _values;

    public BottomKSample(int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        Capacity = capacity;
        _hashes = new ulong[capacity];
        _values = new double[capacity];
    }

    public int Capacity { get; }
    public int Count { get; private set; }

    public void Add(ulong hash, double value)
    {
        if (Count < Capacity)
        {
            SiftUp(Count++, hash, value);
            return;
        }
        if (IsAbove(_hashes[0], _values[0], hash, value))
            SiftDown(hash, value);
    }

    public void Merge(BottomKSample other)
    {
        for (var i = 0; i < other.Count; i++)
            Add(other._hashes[i], other._values[i]);
    }

    /// <summary>The kept entries ordered by hash (a canonical order, the same however the data was split).</summary>
    public (ulong Hash, double Value)[] Entries()
    {
        var entries = new (ulong Hash, double Value)[Count];
        for (var i = 0; i < Count; i++)
            entries[i] = (_hashes[i], _values[i]);
        Array.Sort(entries);
        return entries;
    }

    public double[] Values() => Entries().Select(e => e.Value).ToArray();

    /// <summary>Whether (a, av) orders after (b, bv), as the tuples compare.</summary>
    private static bool IsAbove(ulong a, double av, ulong b, double bv) => a != b ? a > b : av.CompareTo(bv) > 0;

    private void SiftUp(int at, ulong hash, double value)
    {
        while (at > 0)
        {
            var parent = (at - 1) >> 1;
            if (!IsAbove(hash, value, _hashes[parent], _values[parent]))
                break;
            Put(at, _hashes[parent], _values[parent]);
            at = parent;
        }
        Put(at, hash, value);
    }

    /// <summary>Replaces the root (the largest entry) with the given one and restores the heap.</summary>
    private void SiftDown(ulong hash, double value)
    {
        var at = 0;
        while (true)
        {
            var child = 2 * at + 1;
            if (child >= Count)
                break;
            if (child + 1 < Count && IsAbove(_hashes[child + 1], _values[child + 1], _hashes[child], _values[child]))
                child++;
            if (!IsAbove(_hashes[child], _values[child], hash, value))
                break;
            Put(at, _hashes[child], _values[child]);
            at = child;
        }
        Put(at, hash, value);
    }

    private void Put(int at, ulong hash, double value)
    {
        _hashes[at] = hash;
        _values[at] = value;
    }
}
