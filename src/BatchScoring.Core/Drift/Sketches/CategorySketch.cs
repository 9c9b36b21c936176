namespace BatchScoring.Core.Drift.Sketches;

/// <summary>
/// Category counts: exact counts of the categories frozen from the reference (its top K), plus
/// exact counts of up to <see cref="UnseenCapacity"/> other categories — those with the smallest
/// hashes of their text — and one count of the rows of all categories beyond that. Keeping the
/// smallest hashes makes the kept set a function of the set of distinct values only, so merging is
/// associative and any split of the data merges to exactly the sketch of the whole.
/// </summary>
public sealed class CategorySketch
{
    private readonly Dictionary<string, int> _frozenIndex;
    private readonly Dictionary<string, long> _others = new(StringComparer.Ordinal);
    private readonly SortedSet<(ulong Hash, string Value)> _othersByHash = new();

    public CategorySketch(string[] frozenCategories, int unseenCapacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(unseenCapacity, 1);
        FrozenCategories = frozenCategories;
        FrozenCounts = new long[frozenCategories.Length];
        _frozenIndex = frozenCategories.Select((c, i) => (c, i)).ToDictionary(p => p.c, p => p.i, StringComparer.Ordinal);
        UnseenCapacity = unseenCapacity;
    }

    public string[] FrozenCategories { get; }
    public long[] FrozenCounts { get; }
    public int UnseenCapacity { get; }
    /// <summary>Rows whose category is neither frozen nor among the kept other categories.</summary>
    public long OverflowCount { get; private set; }
    public long Total { get; private set; }

    /// <summary>The kept non-frozen categories and their exact counts, ordered by hash.</summary>
    public IEnumerable<(string Value, long Count)> OtherCounts => _othersByHash.Select(e => (e.Value, _others[e.Value]));

    public long CountOf(string category) => _frozenIndex.TryGetValue(category, out var i)
        ? FrozenCounts[i]
        : _others.GetValueOrDefault(category);

    public void Add(string category) => Add(category, 1);

    public void Add(string category, long count)
    {
        Total += count;
        if (_frozenIndex.TryGetValue(category, out var index))
        {
            FrozenCounts[index] += count;
            return;
        }
        if (_others.TryGetValue(category, out var existing))
        {
            _others[category] = existing + count;
            return;
        }
        var entry = (StableHash.Of(category), category);
        if (_others.Count < UnseenCapacity)
        {
            Keep(entry, count);
            return;
        }
        var largest = _othersByHash.Max;
        if (entry.CompareTo(largest) < 0)
        {
            OverflowCount += _others[largest.Value];
            _others.Remove(largest.Value);
            _othersByHash.Remove(largest);
            Keep(entry, count);
        }
        else
        {
            OverflowCount += count;
        }
    }

    public void Merge(CategorySketch other)
    {
        if (!FrozenCategories.AsSpan().SequenceEqual(other.FrozenCategories))
            throw new InvalidOperationException("Category sketches with different frozen categories cannot be merged.");
        for (var i = 0; i < FrozenCounts.Length; i++)
            FrozenCounts[i] += other.FrozenCounts[i];
        Total += other.FrozenCounts.Sum();
        foreach (var (value, count) in other.OtherCounts)
            Add(value, count);
        OverflowCount += other.OverflowCount;
        Total += other.OverflowCount;
    }

    /// <summary>Restores the overflow count when reading a stored sketch.</summary>
    internal void AddOverflow(long count)
    {
        OverflowCount += count;
        Total += count;
    }

    internal void SetFrozenCount(int index, long count)
    {
        FrozenCounts[index] = count;
        Total += count;
    }

    private void Keep((ulong Hash, string Value) entry, long count)
    {
        _others.Add(entry.Value, count);
        _othersByHash.Add(entry);
    }
}
