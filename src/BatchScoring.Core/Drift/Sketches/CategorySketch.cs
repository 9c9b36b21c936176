namespace BatchScoring.Core.Drift.Sketches;

/// <summary>
/// Category counts: exact counts of the categories frozen from the reference (its K most frequent), the
/// most frequent other categories by name (<see cref="MisraGries"/>, exact while there are at most
/// <see cref="Capacity"/> of them), and — once frozen — the exact count of rows whose category is not
/// among the reference's categories (<see cref="KnownCategories"/>, all of them up to the capacity).
/// </summary>
public sealed class CategorySketch
{
    private readonly Dictionary<string, int> _frozenIndex;
    private readonly HashSet<string>? _known;

    /// <param name="knownCategories">The reference's categories; null while the reference itself is being profiled.</param>
    public CategorySketch(string[] frozenCategories, string[]? knownCategories, int capacity)
    {
        FrozenCategories = frozenCategories;
        FrozenCounts = new long[frozenCategories.Length];
        _frozenIndex = frozenCategories.Select((c, i) => (c, i)).ToDictionary(p => p.c, p => p.i, StringComparer.Ordinal);
        KnownCategories = knownCategories;
        _known = knownCategories?.ToHashSet(StringComparer.Ordinal);
        Others = new MisraGries(capacity);
    }

    public string[] FrozenCategories { get; }
    public long[] FrozenCounts { get; }
    /// <summary>The reference's categories, ordinal order; null before freezing.</summary>
    public string[]? KnownCategories { get; }
    public int Capacity => Others.Capacity;
    /// <summary>The categories that are not frozen, most frequent first.</summary>
    public MisraGries Others { get; }
    /// <summary>Rows whose category is not one of <see cref="KnownCategories"/> (0 before freezing).</summary>
    public long UnseenCount { get; private set; }
    public long Total { get; private set; }
    /// <summary>Rows of the categories that are not frozen (exact).</summary>
    public long OtherTotal => Total - FrozenCounts.Sum();

    /// <summary>A frozen category's exact count, else the frequent-items estimate (at most <see cref="MisraGries.Error"/> short).</summary>
    public long CountOf(string category) => _frozenIndex.TryGetValue(category, out var i) ? FrozenCounts[i] : Others.Estimate(category);

    public void Add(string category) => Add(category, 1);

    public void Add(string category, long count)
    {
        Total += count;
        if (_known is not null && !_known.Contains(category))
            UnseenCount += count;
        if (_frozenIndex.TryGetValue(category, out var index))
            FrozenCounts[index] += count;
        else
            Others.Add(category, count);
    }

    public void Merge(CategorySketch other)
    {
        if (!FrozenCategories.AsSpan().SequenceEqual(other.FrozenCategories)
            || (KnownCategories is null) != (other.KnownCategories is null)
            || (KnownCategories is not null && !KnownCategories.AsSpan().SequenceEqual(other.KnownCategories)))
            throw new InvalidOperationException("Category sketches with different frozen or reference categories cannot be merged.");
        for (var i = 0; i < FrozenCounts.Length; i++)
            FrozenCounts[i] += other.FrozenCounts[i];
        Others.Merge(other.Others);
        UnseenCount += other.UnseenCount;
        Total += other.Total;
    }

    /// <summary>Restores the counts of a stored sketch.</summary>
    internal void Restore(long[] frozenCounts, long unseen, long total)
    {
        frozenCounts.CopyTo(FrozenCounts, 0);
        UnseenCount = unseen;
        Total = total;
    }
}
