using System.Globalization;

namespace BatchScoring.Core.Drift.Sketches;

/// <summary>
/// Bins frozen from the reference: its distinct deciles e0 &lt; … &lt; em (e0 its minimum, em its
/// maximum). Bin 0 is below e0, bins 1…m are [e(i−1), e(i)) with the last one closed, bin m+1 is
/// above em. A reference with a single distinct value has one interior bin holding exactly it.
/// </summary>
public static class NumericBins
{
    public static int Count(IReadOnlyList<double> edges) => edges.Count switch
    {
        0 => 0,
        1 => 3,
        _ => edges.Count + 1,
    };

    public static int IndexOf(double[] edges, double value)
    {
        if (value < edges[0])
            return 0;
        if (value > edges[^1])
            return Count(edges) - 1;
        if (edges.Length == 1)
            return 1;
        // First edge strictly greater than the value; the closed last bin takes the maximum itself.
        var upper = Array.BinarySearch(edges, value);
        upper = upper >= 0 ? upper + 1 : ~upper;
        return Math.Min(upper, edges.Length - 1);
    }

    public static string[] Labels(IReadOnlyList<double> edges)
    {
        var count = Count(edges);
        var labels = new string[count];
        if (count == 0)
            return labels;
        labels[0] = $"< {Format(edges[0])}";
        labels[^1] = $"> {Format(edges[^1])}";
        if (edges.Count == 1)
            labels[1] = $"= {Format(edges[0])}";
        for (var i = 1; i < edges.Count; i++)
            labels[i] = i == edges.Count - 1
                ? $"[{Format(edges[i - 1])}, {Format(edges[i])}]"
                : $"[{Format(edges[i - 1])}, {Format(edges[i])})";
        return labels;
    }

    /// <summary>Deciles of the values (linear interpolation, as numpy's default), with the exact minimum and maximum as the outer edges, duplicates removed.</summary>
    public static double[] FromDeciles(double[] sortedSample, double min, double max)
    {
        var edges = new List<double> { min };
        for (var decile = 1; decile <= 9; decile++)
            edges.Add(Quantile(sortedSample, decile / 10.0));
        edges.Add(max);
        return edges.Where(e => e >= min && e <= max).Distinct().Order().ToArray();
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
