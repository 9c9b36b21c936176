namespace BatchScoring.Core.Drift.Sketches;

/// <summary>
/// Category counts: exact counts of the categories frozen from the reference (its K most frequent), the
/// most frequent other categories by name (<see cref="MisraGries"/>, exact while there are at most
/// <see cref="Capacity"/> of them), and — once frozen — the exact count of rows whose category is not
/// among the reference's categories (<see cref="KnownCategories"/>, all of them up to the capacity).
/// </summary>
public sealed class CategorySketch
{
    // Per frozen or reference category: its frozen index (−1 when not frozen) and whether the reference has it,
    // so that counting a row takes one lookup.
    private readonly Dictionary<string, (int Frozen, bool Known)> _lookup;

    /// <param name="knownCategories">The reference's categories; null while the reference itself is being profiled.</param>
    public CategorySketch(string[] frozenCategories, string[]? knownCategories, int capacity)
    {
        FrozenCategories = frozenCategories;
        FrozenCounts = new long[frozenCategories.Length];
        KnownCategories = knownCategories;
        _lookup = new Dictionary<string, (int, bool)>(StringComparer.Ordinal);
        foreach (var category in knownCategories ?? [])
            _lookup[category] = (-1, true);
        for (var i = 0; i < frozenCategories.Length; i++)
        {
            // Found before: a reference category, unless it is frozen twice.
            var found = _lookup.TryGetValue(frozenCategories[i], out var entry);
            if (found && entry.Frozen >= 0)
                throw new ArgumentException($"The category '{frozenCategories[i]}' is frozen twice.");
            _lookup[frozenCategories[i]] = (i, found);
        }
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
    public long CountOf(string category) => FrozenIndex(category) is var i and >= 0 ? FrozenCounts[i] : Others.Estimate(category);

    public void Add(string category) => Add(category, 1);

    public void Add(string category, long count)
    {
        Total += count;
        var (frozen, known) = _lookup.TryGetValue(category, out var entry) ? entry : (-1, false);
        if (KnownCategories is not null && !known)
            UnseenCount += count;
        if (frozen >= 0)
            FrozenCounts[frozen] += count;
        else
            Others.Add(category, count);
    }

    private int FrozenIndex(string category) => _lookup.TryGetValue(category, out var entry) ? entry.Frozen : -1;

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
