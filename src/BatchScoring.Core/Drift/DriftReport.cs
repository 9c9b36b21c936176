using BatchScoring.Core.Jobs;

namespace BatchScoring.Core.Drift;

/// <summary>One run's drift: the summary (scoring.drift_runs) and one result per feature (scoring.drift_features).</summary>
public sealed record DriftReport(DriftSummary Summary, IReadOnlyList<FeatureDrift> Features)
{
    /// <summary>Features ordered as the report shows them: drifted first, then by how far past its threshold each is.</summary>
    public IEnumerable<FeatureDrift> BySeverity => Features.OrderByDescending(f => f.Drifted).ThenByDescending(f => f.Severity).ThenBy(f => f.Feature, StringComparer.Ordinal);
}

/// <param name="Reference">What the run was compared with, in words (e.g. "model churn@3 profile").</param>
/// <param name="DriftedShare">Drifted input features / input features.</param>
/// <param name="DatasetDrift">The drifted share reached <paramref name="ShareThreshold"/>.</param>
/// <param name="FdrDrift">Benjamini–Hochberg at the p-value threshold rejects at least one input feature's test.</param>
/// <param name="PredictionDrift">At least one model output drifted.</param>
public sealed record DriftSummary(
    string Reference,
    long ReferenceRows,
    long CurrentRows,
    int InputFeatures,
    int DriftedInputFeatures,
    double DriftedShare,
    double ShareThreshold,
    bool DatasetDrift,
    bool FdrDrift,
    bool PredictionDrift);

/// <param name="Method">The test or distance that decides <paramref name="Drifted"/>.</param>
/// <param name="Statistic">Its value: a distance, or the test statistic of a p-value test; null when either side has no values.</param>
/// <param name="PValue">The p-value of the feature's test (KS, chi-squared or z), whatever the deciding method; null for none.</param>
/// <param name="Severity">Statistic / threshold for distances, log p / log threshold for tests: 1 or more means past the threshold.</param>
/// <param name="Drifted">The method crossed its threshold, or the missing rate moved by at least the distance threshold.</param>
/// <param name="FdrRejected">Rejected by Benjamini–Hochberg over the input features' p-values.</param>
/// <param name="Statistics">Every statistic computed for the feature, by name (ks, ks_p_value, wasserstein_normed, psi, …).</param>
/// <param name="Bins">Per bin (or category) the share of the reference's and the current rows with a value.</param>
public sealed record FeatureDrift(
    string Feature,
    FeatureRole Role,
    FeatureKind Kind,
    DriftMethod Method,
    double? Statistic,
    double? PValue,
    double Threshold,
    double Severity,
    bool Drifted,
    bool FdrRejected,
    long ReferenceRows,
    long CurrentRows,
    double ReferenceMissingRate,
    double CurrentMissingRate,
    IReadOnlyDictionary<string, double> Statistics,
    IReadOnlyList<BinShare> Bins)
{
    /// <summary>How far the exact value on all rows can be from <see cref="Statistic"/> (KS and Wasserstein from bins); null when it is exact by construction.</summary>
    public double? StatisticBound { get; init; }

    /// <summary>Reference values in the sample that KS and Wasserstein were computed from; null when they came from the quantile bins of all rows, or for categories.</summary>
    public long? ReferenceSampleSize { get; init; }

    /// <summary>Current values in the sample that KS and Wasserstein were computed from; null as for <see cref="ReferenceSampleSize"/>.</summary>
    public long? CurrentSampleSize { get; init; }

    /// <summary>
    /// Up to five of the run's categories the reference does not have, most frequent first, with their share of the
    /// run's rows (the reference's is 0); they are counted in the "(other)" bin. Empty for numeric features.
    /// </summary>
    public IReadOnlyList<BinShare> NewCategories { get; init; } = [];

    public double MissingRateChange => CurrentMissingRate - ReferenceMissingRate;
    public bool IsPValueTest => DriftMethods.IsPValueTest(Method);
}

public sealed record BinShare(string Bin, double Reference, double Current)
{
    /// <summary>The bin of every value outside the reference's categories or discrete values.</summary>
    public const string Other = "(other)";
}
