using System.Globalization;
using BatchScoring.Core.Drift;
using BatchScoring.Core.Jobs;

namespace BatchScoring.Worker.Reports;

/// <summary>One sentence an analyst reads to see why a feature was flagged: the crossed threshold and the largest change.</summary>
internal static class DriftReason
{
    private const string OtherBin = BinShare.Other;

    public static string For(FeatureDrift f)
    {
        var methodCrossed = f.IsPValueTest ? f.PValue < f.Threshold : f.Statistic >= f.Threshold;
        if (!methodCrossed)
            return MissingRate(f);
        var crossed = f.IsPValueTest
            ? $"{DriftNames.Of(f.Method)} p-value {PValue(f.PValue)} is below the threshold {G(f.Threshold)}"
            : $"{DriftNames.Of(f.Method)} statistic {G(f.Statistic)} is above the threshold {G(f.Threshold)}";
        return $"{crossed}; largest change: {LargestChange(f)}.";
    }

    /// <summary>Doubles underflow to 0 long before a p-value is really 0, so tiny ones are printed as a bound.</summary>
    public static string PValue(double? p) => p switch
    {
        null => "—",
        < 1e-300 => "< 1e-300",
        { } v => G(v),
    };

    /// <summary>A feature flagged by its missing rate alone (its method stayed under its threshold).</summary>
    private static string MissingRate(FeatureDrift f)
    {
        var points = (f.MissingRateChange * 100).ToString("+0.0;-0.0;0", CultureInfo.InvariantCulture);
        var test = f.Statistics.TryGetValue("missing_p_value", out var p) ? $", z-test p-value {PValue(p)}" : "";
        var method = f.IsPValueTest
            ? $"{DriftNames.Of(f.Method)} p-value {PValue(f.PValue)} is not below its threshold {G(f.Threshold)}"
            : $"{DriftNames.Of(f.Method)} statistic {G(f.Statistic)} is under its threshold {G(f.Threshold)}";
        return $"missing rate {P(f.ReferenceMissingRate)} → {P(f.CurrentMissingRate)} ({points} points{test}) moved past half the distance threshold; {method}.";
    }

    private static string LargestChange(FeatureDrift f)
    {
        var missing = Math.Abs(f.MissingRateChange);
        var bin = f.Bins.MaxBy(b => Math.Abs(b.Current - b.Reference));
        if (bin is null || missing >= Math.Abs(bin.Current - bin.Reference))
            return $"missing rate {P(f.ReferenceMissingRate)} → {P(f.CurrentMissingRate)}";
        if (bin.Bin == OtherBin && f.NewCategories.Count > 0)
            return $"new {(f.NewCategories.Count == 1 ? "category" : "categories")} {string.Join(", ", f.NewCategories.Select(c => $"\"{c.Bin}\" ({P(c.Current)})"))}";
        var what = (bin.Bin, bin.Reference) switch
        {
            (OtherBin, 0) => $"values the reference does not have (\"{OtherBin}\")",
            (OtherBin, _) => $"\"{OtherBin}\" (values outside the reference's bins)",
            (_, 0) => $"new category \"{bin.Bin}\"",
            _ => $"\"{bin.Bin}\"",
        };
        return $"{Moments(f)}share of {what} {P(bin.Reference)} → {P(bin.Current)}";
    }

    /// <summary>
    /// A continuous column's mean (shift in reference standard deviations) or its spread (ratio of standard deviations),
    /// whichever moved more, before its largest bin change.
    /// </summary>
    private static string Moments(FeatureDrift f)
    {
        if (f.Kind != FeatureKind.Numeric || f.Method is not (DriftMethod.KolmogorovSmirnov or DriftMethod.Wasserstein)
            || !f.Statistics.TryGetValue("reference_mean", out var before) || !f.Statistics.TryGetValue("current_mean", out var after)
            || f.Statistics.GetValueOrDefault("reference_std") is not (> 0 and var sd))
            return "";
        var currentSd = f.Statistics.GetValueOrDefault("current_std");
        var shift = (after - before) / sd;
        return currentSd > 0 && Math.Abs(Math.Log(currentSd / sd)) > Math.Abs(shift)
            ? $"standard deviation {G(sd)} → {G(currentSd)} (×{(currentSd / sd).ToString("0.00", CultureInfo.InvariantCulture)}), "
            : $"mean {G(before)} → {G(after)} ({shift.ToString("+0.00;-0.00;0", CultureInfo.InvariantCulture)} sd), ";
    }

    private static string G(double? value) => ReportText.F(value);

    private static string P(double value) => ReportText.Percent(value);
}
