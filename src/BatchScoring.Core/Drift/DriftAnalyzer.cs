using BatchScoring.Core.Drift.Sketches;
using BatchScoring.Core.Drift.Statistics;
using BatchScoring.Core.Errors;
using BatchScoring.Core.Jobs;

namespace BatchScoring.Core.Drift;

/// <summary>Compares a run's merged sketch with the reference sketch and decides, per feature and for the dataset, what drifted.</summary>
public static class DriftAnalyzer
{
    public static DriftReport Analyze(DatasetSketch reference, DatasetSketch current, DriftSpec spec, string referenceDescription)
    {
        if (!reference.IsFrozen || !current.IsFrozen)
            throw new BatchScoringException("Drift can only be computed between sketches with bins frozen from a reference.");
        var features = new List<FeatureDrift>();
        foreach (var currentFeature in current.Features)
        {
            if (!reference.TryGetFeature(currentFeature.Name, out var referenceFeature))
                throw new BatchScoringException($"Drift: the reference ({referenceDescription}) has no column '{currentFeature.Name}'.");
            if (referenceFeature.Definition != currentFeature.Definition)
                throw new BatchScoringException(
                    $"Drift: column '{currentFeature.Name}' is {currentFeature.Definition.Kind} {currentFeature.Definition.Role} here but {referenceFeature.Definition.Kind} {referenceFeature.Definition.Role} in the reference ({referenceDescription}).");
            features.Add(AnalyzeFeature(referenceFeature, currentFeature, spec));
        }

        var inputs = features.Where(f => f.Role == FeatureRole.Input).ToList();
        var withP = inputs.Where(f => f.PValue is not null).ToList();
        var rejected = BenjaminiHochberg.Reject(withP.Select(f => f.PValue!.Value).ToArray(), spec.PValueThreshold);
        var rejectedNames = withP.Where((_, i) => rejected[i]).Select(f => f.Feature).ToHashSet(StringComparer.Ordinal);
        features = features.Select(f => rejectedNames.Contains(f.Feature) && f.Role == FeatureRole.Input ? f with { FdrRejected = true } : f).ToList();

        var drifted = inputs.Count(f => f.Drifted);
        var share = inputs.Count == 0 ? 0 : (double)drifted / inputs.Count;
        var summary = new DriftSummary(referenceDescription, reference.RowCount, current.RowCount, inputs.Count, drifted, share,
            spec.DriftedShareThreshold,
            DatasetDrift: inputs.Count > 0 && share >= spec.DriftedShareThreshold,
            FdrDrift: rejectedNames.Count > 0,
            PredictionDrift: features.Any(f => f.Role == FeatureRole.Output && f.Drifted));
        return new DriftReport(summary, features);
    }

    private static FeatureDrift AnalyzeFeature(FeatureSketch reference, FeatureSketch current, DriftSpec spec)
    {
        var discrete = reference.Numeric is { IsDiscrete: true };
        var (method, threshold) = DriftMethods.Choose(spec, current.Name, current.Kind, discrete, reference.Count);
        var statistics = new Dictionary<string, double>(StringComparer.Ordinal);
        var missingChange = current.MissingRate - reference.MissingRate;
        statistics["missing_rate_change"] = missingChange;
        if (reference.Count > 0 && current.Count > 0)
            statistics["missing_p_value"] = TwoProportionZTest.Test(reference.MissingCount, reference.Count, current.MissingCount, current.Count).PValue;

        var comparable = reference.PresentCount > 0 && current.PresentCount > 0;
        var bins = current.Kind == FeatureKind.Numeric
            ? NumericStatistics(reference, current, comparable, statistics)
            : CategoryStatistics(reference, current, comparable, statistics);

        var (statisticName, pValueName) = method switch
        {
            DriftMethod.KolmogorovSmirnov => ("ks", "ks_p_value"),
            DriftMethod.Wasserstein => ("wasserstein_normed", null),
            DriftMethod.Psi => ("psi", null),
            DriftMethod.JensenShannon => ("jensen_shannon", null),
            DriftMethod.ChiSquared => ("chi_squared", "chi_squared_p_value"),
            DriftMethod.LInfinity => ("l_infinity", null),
            DriftMethod.ZTest => ("z", "z_p_value"),
            _ => throw new InvalidOperationException($"No statistic for method {method}."),
        };
        double? statistic = comparable ? statistics[statisticName] : null;
        double? testPValue = comparable ? statistics[PValueName(current.Kind, discrete)] : null;
        double? methodPValue = pValueName is not null && comparable ? statistics[pValueName] : null;

        var isTest = DriftMethods.IsPValueTest(method);
        var methodSeverity = !comparable ? 0
            : isTest ? (methodPValue!.Value <= 0 ? double.MaxValue : Math.Log(methodPValue.Value) / Math.Log(threshold))
            : statistic!.Value / threshold;
        var methodDrifted = comparable && (isTest ? methodPValue!.Value < threshold : statistic!.Value >= threshold);
        // Half the distance threshold (5 points by default) and significant: 2 % → 12 % is caught, noise at any n is not.
        var missingSeverity = Math.Abs(missingChange) / (spec.DistanceThreshold / 2);
        var missingDrifted = missingSeverity >= 1 && statistics.GetValueOrDefault("missing_p_value", 1) < spec.PValueThreshold;

        var boundName = method switch
        {
            DriftMethod.KolmogorovSmirnov => "ks_bound",
            DriftMethod.Wasserstein => "wasserstein_normed_bound",
            _ => null,
        };
        return new FeatureDrift(current.Name, current.Definition.Role, current.Kind, method, statistic, testPValue, threshold,
            Math.Max(methodSeverity, missingSeverity), methodDrifted || missingDrifted, FdrRejected: false,
            reference.Count, current.Count, reference.MissingRate, current.MissingRate, statistics, bins)
        {
            StatisticBound = comparable && boundName is not null ? statistics[boundName] : null,
            ReferenceSampleSize = SampleSize(reference, statistics),
            CurrentSampleSize = SampleSize(current, statistics),
            NewCategories = comparable && current.Categories is not null ? NewCategories(reference.Categories!, current.Categories) : [],
        };
    }

    /// <summary>The run's most frequent categories that the reference does not have, by name (they are inside "(other)").</summary>
    private static BinShare[] NewCategories(CategorySketch reference, CategorySketch current) => current.Others.Items()
        .Where(c => reference.CountOf(c.Item) == 0)
        .OrderByDescending(c => c.Count).ThenBy(c => c.Item, StringComparer.Ordinal)
        .Take(MaxNewCategories)
        .Select(c => new BinShare(c.Item, 0, (double)c.Count / current.Total))
        .ToArray();

    private const int MaxNewCategories = 5;

    /// <summary>The values KS and Wasserstein came from when they came from the sample (it then holds every value); null when from the quantile bins.</summary>
    private static long? SampleSize(FeatureSketch feature, Dictionary<string, double> statistics) =>
        statistics.TryGetValue("ks_asymptotic", out var asymptotic) && asymptotic == 0 ? feature.Numeric!.Sample.Count : null;

    private static string PValueName(FeatureKind kind, bool discrete) => kind switch
    {
        FeatureKind.Numeric when !discrete => "ks_p_value",
        FeatureKind.Binary => "z_p_value",
        _ => "chi_squared_p_value",
    };

    private static BinShare[] NumericStatistics(FeatureSketch reference, FeatureSketch current, bool comparable, Dictionary<string, double> statistics)
    {
        NumericSketch r = reference.Numeric!, c = current.Numeric!;
        if (!r.Edges.AsSpan().SequenceEqual(c.Edges))
            throw new BatchScoringException($"Drift: the bins of '{current.Name}' differ from the reference's; sketch the run with the reference's layout (DatasetSketch.EmptyCopy).");
        if (r.Moments.Count > 0)
        {
            statistics["reference_mean"] = r.Moments.Mean;
            statistics["reference_std"] = Math.Sqrt(r.Moments.SampleVariance);
        }
        if (c.Moments.Count > 0)
        {
            statistics["current_mean"] = c.Moments.Mean;
            statistics["current_std"] = Math.Sqrt(c.Moments.SampleVariance);
        }
        if (comparable)
            DistributionStatistics(r, c, statistics);
        if (comparable && r.IsDiscrete)
            statistics["unseen_share"] = (double)c.BinCounts[^1] / c.Moments.Count;
        return r.IsDiscrete
            ? CountStatistics(NumericBins.Labels(r.Edges, discrete: true), r.BinCounts, c.BinCounts, comparable, statistics)
            : CountStatistics(NumericBins.Labels(r.Edges, discrete: false), r.BinCounts, c.BinCounts, comparable, statistics, distancesOnly: true);
    }

    /// <summary>
    /// KS and Wasserstein on all rows: exactly when every value of both sides is in their samples (the exact
    /// KS test, as scipy's <c>ks_2samp(method='auto')</c> at these sizes), else from the quantile bins with
    /// the bound on D and W, and the asymptotic p-value of the binned D (never above the exact D, so the
    /// p-value errs towards no drift).
    /// </summary>
    private static void DistributionStatistics(NumericSketch r, NumericSketch c, Dictionary<string, double> statistics)
    {
        Bounded ks, wasserstein;
        double pValue;
        var complete = r.Sample.Count == r.Moments.Count && c.Sample.Count == c.Moments.Count;
        if (complete)
        {
            var referenceValues = r.Sample.Values();
            var currentValues = c.Sample.Values();
            var test = KolmogorovSmirnov.TwoSample(referenceValues, currentValues);
            (ks, pValue) = (new Bounded(test.Statistic, 0), test.PValue);
            wasserstein = new Bounded(Distances.Wasserstein(referenceValues, currentValues), 0);
        }
        else
        {
            var onEdges = r.IsDiscrete && r.BinCounts[^1] == 0 && c.BinCounts[^1] == 0;
            ks = BinnedDistances.KolmogorovSmirnov(r.Quantiles, c.Quantiles, onEdges);
            var n = Math.Max(1, (long)Math.Round((double)r.Moments.Count * c.Moments.Count / (r.Moments.Count + c.Moments.Count), MidpointRounding.ToEven));
            pValue = KolmogorovDistribution.Survival(n, ks.Value);
            wasserstein = BinnedDistances.Wasserstein(r.Quantiles, (r.Moments.Min!.Value, r.Moments.Max!.Value),
                c.Quantiles, (c.Moments.Min!.Value, c.Moments.Max!.Value), onEdges);
        }
        statistics["ks"] = ks.Value;
        statistics["ks_bound"] = ks.Bound;
        statistics["ks_p_value"] = pValue;
        statistics["ks_asymptotic"] = complete ? 0 : 1;
        statistics["wasserstein"] = wasserstein.Value;
        statistics["wasserstein_bound"] = wasserstein.Bound;
        // A constant reference has no spread to scale by; the raw distance is then the best yardstick.
        var std = Math.Sqrt(r.Moments.PopulationVariance);
        var scale = std > 0 ? std : 1;
        statistics["wasserstein_normed"] = wasserstein.Value / scale;
        statistics["wasserstein_normed_bound"] = wasserstein.Bound / scale;
    }

    private static BinShare[] CategoryStatistics(FeatureSketch reference, FeatureSketch current, bool comparable, Dictionary<string, double> statistics)
    {
        CategorySketch r = reference.Categories!, c = current.Categories!;
        if (!r.FrozenCategories.AsSpan().SequenceEqual(c.FrozenCategories))
            throw new BatchScoringException($"Drift: the categories of '{current.Name}' differ from the reference's; sketch the run with the reference's layout (DatasetSketch.EmptyCopy).");
        long[] referenceCounts = [.. r.FrozenCounts, r.OtherTotal];
        long[] currentCounts = [.. c.FrozenCounts, c.OtherTotal];
        var bins = CountStatistics([.. r.FrozenCategories, BinShare.Other], referenceCounts, currentCounts, comparable, statistics);
        if (comparable)
        {
            // Rows outside the reference's categories, counted exactly as they were added.
            statistics["unseen_share"] = (double)c.UnseenCount / c.Total;
            // Above the capacity the reference's own set is truncated; its share outside the set says by how much.
            if (r.UnseenCount > 0)
                statistics["reference_unseen_share"] = (double)r.UnseenCount / r.Total;
            if (current.Kind == FeatureKind.Binary)
            {
                var z = TwoProportionZTest.Test(r.CountOf("true"), r.Total, c.CountOf("true"), c.Total);
                statistics["z"] = z.Z;
                statistics["z_p_value"] = z.PValue;
            }
        }
        return bins;
    }

    /// <summary>
    /// Statistics of counts over the same bins, the last of which is "(other)" for categories (dropped when
    /// empty on both sides): PSI and Jensen–Shannon, and unless <paramref name="distancesOnly"/> also the
    /// chi-squared test and L∞ of the shares.
    /// </summary>
    private static BinShare[] CountStatistics(
        string[] labels, long[] referenceCounts, long[] currentCounts, bool comparable, Dictionary<string, double> statistics, bool distancesOnly = false)
    {
        if (!distancesOnly && referenceCounts.Length > 0 && referenceCounts[^1] == 0 && currentCounts[^1] == 0)
        {
            labels = labels[..^1];
            referenceCounts = referenceCounts[..^1];
            currentCounts = currentCounts[..^1];
        }
        var referenceShares = Distances.Shares(referenceCounts);
        var currentShares = Distances.Shares(currentCounts);
        if (comparable)
        {
            statistics["psi"] = Distances.Psi(referenceShares, currentShares);
            statistics["jensen_shannon"] = Distances.JensenShannon(referenceShares, currentShares);
            if (!distancesOnly)
            {
                var chi = ChiSquaredTest.Homogeneity(referenceCounts, currentCounts);
                statistics["chi_squared"] = chi.Statistic;
                statistics["chi_squared_p_value"] = chi.PValue;
                statistics["l_infinity"] = Distances.LInfinity(referenceShares, currentShares);
            }
        }
        return labels.Select((label, i) => new BinShare(label, referenceShares[i], currentShares[i])).ToArray();
    }
}
