namespace BatchScoring.Core.Drift.Sketches;

/// <summary>Sizes of a sketch. They are stored with the sketch; sketches merge only with equal options.</summary>
public sealed record SketchOptions
{
    /// <summary>The largest sample scipy's <c>ks_2samp(method='auto')</c> still tests exactly.</summary>
    public const int MaxSampleSize = 10_000;

    public static readonly SketchOptions Default = new();

    /// <summary>Rows kept per numeric column for the Kolmogorov–Smirnov test and the Wasserstein distance.</summary>
    public int SampleSize { get; init; } = 2_000;
    /// <summary>Categories of the reference kept as their own bins; the rest are "other".</summary>
    public int TopK { get; init; } = 50;
    /// <summary>
    /// Categories per column kept by name beyond the top K (Misra–Gries counters): counts are exact up to this
    /// many distinct categories, and any category of more than 1/(capacity+1) of the rows is kept above it.
    /// The reference's categories up to this many are what "unseen" is measured against.
    /// </summary>
    public int CategoryCapacity { get; init; } = 1_000;

    public void Validate()
    {
        if (SampleSize is < 1 or > MaxSampleSize)
            throw new ArgumentOutOfRangeException(nameof(SampleSize), SampleSize, $"The drift sample size must be between 1 and {MaxSampleSize}.");
        if (TopK < 1)
            throw new ArgumentOutOfRangeException(nameof(TopK), TopK, "The number of top categories must be at least 1.");
        if (CategoryCapacity < 1)
            throw new ArgumentOutOfRangeException(nameof(CategoryCapacity), CategoryCapacity, "The number of categories kept by name must be at least 1.");
    }
}
