using System.Runtime.InteropServices;

namespace BatchScoring.Core.Drift.Sketches;

/// <summary>
/// The Misra–Gries frequent-items summary in its mergeable form (Agarwal et al., "Mergeable summaries", 2012):
/// counters for at most <see cref="Capacity"/> items. A kept count is at most the item's true count and at
/// least true − <see cref="Error"/>; an item missing has a true count of at most <see cref="Error"/>.
/// Error ≤ (N − Σ kept) / (Capacity + 1) ≤ N / (Capacity + 1) for N counted rows, so every item of more than
/// N / (Capacity + 1) rows is kept by name. With at most Capacity distinct items nothing is ever subtracted and
/// the counts are exact, however the data was split and merged.
/// </summary>
public sealed class MisraGries
{
    private readonly Dictionary<string, long> _counts = new(StringComparer.Ordinal);

    public MisraGries(int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        Capacity = capacity;
    }

    public int Capacity { get; }

    /// <summary>The most any kept count falls short of its item's true count.</summary>
    public long Error { get; private set; }

    public bool IsExact => Error == 0;

    public void Add(string item, long count)
    {
        CollectionsMarshal.GetValueRefOrAddDefault(_counts, item, out _) += count;
        // Up to twice the capacity is buffered, so the O(k log k) reduction runs once per k new items.
        if (_counts.Count > 2 * Capacity)
            Reduce();
    }

    public void Merge(MisraGries other)
    {
        if (other.Capacity != Capacity)
            throw new InvalidOperationException("Frequent-item summaries of different capacities cannot be merged.");
        foreach (var (item, count) in other._counts)
            _counts[item] = _counts.GetValueOrDefault(item) + count;
        Error += other.Error;
        Reduce();
    }

    /// <summary>The estimated count of an item: 0 when it is not kept.</summary>
    public long Estimate(string item)
    {
        Reduce();
        return _counts.GetValueOrDefault(item);
    }

    /// <summary>The kept items, most frequent first (ties by ordinal name).</summary>
    public (string Item, long Count)[] Items()
    {
        Reduce();
        return _counts.Select(p => (p.Key, p.Value)).OrderByDescending(p => p.Value).ThenBy(p => p.Key, StringComparer.Ordinal).ToArray();
    }

    /// <summary>Restores a stored summary.</summary>
    internal void Restore(IReadOnlyList<string> items, IReadOnlyList<long> counts, long error)
    {
        for (var i = 0; i < items.Count; i++)
            _counts[items[i]] = _counts.GetValueOrDefault(items[i]) + counts[i];
        Error += error;
        Reduce();
    }

    /// <summary>Subtracts the (Capacity+1)-th largest count from every counter and drops those that reach 0.</summary>
    private void Reduce()
    {
        if (_counts.Count <= Capacity)
            return;
        var counts = _counts.Values.ToArray();
        Array.Sort(counts);
        var cut = counts[^(Capacity + 1)];
        foreach (var item in _counts.Keys.ToArray())
        {
            var left = _counts[item] - cut;
            if (left > 0)
                _counts[item] = left;
            else
                _counts.Remove(item);
        }
        Error += cut;
    }
}
