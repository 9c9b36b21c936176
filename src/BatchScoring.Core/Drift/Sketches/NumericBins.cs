using System.Globalization;

namespace BatchScoring.Core.Drift.Sketches;

/// <summary>
/// Bins frozen from the reference, for the histograms, PSI and Jensen–Shannon. For a continuous column the
/// edges e0 &lt; … &lt; em divide the reference's 1st–99th percentile into <see cref="Intervals"/> equal widths:
/// bin 0 is below e0, bin i is [e(i−1), e(i)), the last bin is e(m) and above — every bin half-open, the top
/// one open, so the largest values never share a bin with their neighbours. For a discrete column (at most
/// <see cref="MaxDiscreteValues"/> distinct reference values) each value is its own bin, and one more bin
/// holds every other value.
/// </summary>
public static class NumericBins
{
    /// <summary>Numeric columns with at most this many distinct reference values are compared as categories.</summary>
    public const int MaxDiscreteValues = 20;

    public const int Intervals = 10;

    public static int Count(IReadOnlyList<double> edges) => edges.Count == 0 ? 0 : edges.Count + 1;

    public static int IndexOf(double[] edges, double value, bool discrete)
    {
        var found = Array.BinarySearch(edges, value);
        if (discrete)
            return found >= 0 ? found : edges.Length;
        // The number of edges at or below the value.
        return found >= 0 ? found + 1 : ~found;
    }

    public static string[] Labels(IReadOnlyList<double> edges, bool discrete)
    {
        if (edges.Count == 0)
            return [];
        if (discrete)
            return [.. edges.Select(Format), BinShare.Other];
        var labels = new string[edges.Count + 1];
        labels[0] = $"< {Format(edges[0])}";
        for (var i = 1; i < edges.Count; i++)
            labels[i] = $"[{Format(edges[i - 1])}, {Format(edges[i])})";
        labels[^1] = $"≥ {Format(edges[^1])}";
        return labels;
    }

    /// <summary>
    /// Equal-width edges over the 1st–99th percentile of the sorted sample (linear interpolation, as numpy's
    /// default); over the exact minimum and maximum when those percentiles coincide.
    /// </summary>
    public static double[] FromPercentiles(double[] sortedSample, double min, double max)
    {
        double low = Quantile(sortedSample, 0.01), high = Quantile(sortedSample, 0.99);
        if (!(high > low))
            (low, high) = (min, max);
        if (!(high > low))
            return [low];
        var edges = new double[Intervals + 1];
        for (var i = 0; i <= Intervals; i++)
            edges[i] = i == Intervals ? high : low + (high - low) * i / Intervals;
        return edges.Distinct().ToArray();
    }

    private static double Quantile(double[] sorted, double q)
    {
        var position = q * (sorted.Length - 1);
        var below = (int)Math.Floor(position);
        var above = Math.Min(below + 1, sorted.Length - 1);
        return sorted[below] + (position - below) * (sorted[above] - sorted[below]);
    }

    private static string Format(double value) => value.ToString("G6", CultureInfo.InvariantCulture);
}
