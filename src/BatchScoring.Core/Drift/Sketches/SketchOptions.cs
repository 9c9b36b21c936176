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
    /// <summary>Categories outside the top K counted exactly per column (those with the smallest hashes).</summary>
    public int UnseenCapacity { get; init; } = 1_000;

    public void Validate()
    {
        if (SampleSize is < 1 or > MaxSampleSize)
            throw new ArgumentOutOfRangeException(nameof(SampleSize), SampleSize, $"The drift sample size must be between 1 and {MaxSampleSize}.");
        if (TopK < 1)
            throw new ArgumentOutOfRangeException(nameof(TopK), TopK, "The number of top categories must be at least 1.");
        if (UnseenCapacity < 1)
            throw new ArgumentOutOfRangeException(nameof(UnseenCapacity), UnseenCapacity, "The number of counted other categories must be at least 1.");
    }
}
