using System.Globalization;
using BatchScoring.Core.Drift;

namespace BatchScoring.Worker.Reports;

/// <summary>How the report writes numbers, decisions and sample sizes, the same in the table and in each feature's section.</summary>
internal static class ReportText
{
    public static string F(double? value, string format) => value is { } v ? v.ToString(format, CultureInfo.InvariantCulture) : "—";

    /// <summary>Four significant digits; thousands as whole numbers with separators (50,170), tiny and huge ones as 1.2e-07.</summary>
    public static string F(double? value) => value switch
    {
        null => "—",
        { } v when Math.Abs(v) is >= 1000 and < 1e15 => v.ToString("N0", CultureInfo.InvariantCulture),
        { } v => v.ToString("G4", CultureInfo.InvariantCulture).Replace('E', 'e'),
    };

    /// <summary>"± b" for a statistic computed from bins: the exact value on all rows is within b.</summary>
    public static string Bound(FeatureDrift f) => f.StatisticBound is > 0 ? $" ± {F(f.StatisticBound)}" : "";

    /// <summary>Benjamini–Hochberg runs over every input feature's test p-value, whatever method decides the feature.</summary>
    public static string Fdr(FeatureDrift f) => f.Role != FeatureRole.Input || f.PValue is null ? "—" : f.FdrRejected ? "rejected" : "not rejected";

    /// <summary>The values KS and Wasserstein were computed from, when a sample was used; else what they were computed from.</summary>
    public static string Sample(FeatureDrift f) => (f.ReferenceSampleSize, f.CurrentSampleSize) switch
    {
        ({ } r, { } c) => $"{r:N0} / {c:N0} (every value)",
        _ when f.Statistic is null => "—",
        _ when f.Kind == FeatureKind.Numeric => "none (quantile bins of all rows)",
        _ => "none (counts of all rows)",
    };

    /// <summary><see cref="Sample"/> for a table cell: the sizes, or a dash when no sample was used.</summary>
    public static string SampleShort(FeatureDrift f) => (f.ReferenceSampleSize, f.CurrentSampleSize) switch
    {
        ({ } r, { } c) => $"{r:N0} / {c:N0}",
        _ => "—",
    };

    public static string Utc(DateTime? value) =>
        value is { } v ? v.ToUniversalTime().ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture) + " UTC" : "—";

    /// <summary>A share as a percentage, written "12.5%" (the invariant culture's "P" format puts a space before the sign).</summary>
    public static string Percent(double share, int decimals = 1) =>
        (share * 100).ToString("F" + decimals.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture) + "%";
}
