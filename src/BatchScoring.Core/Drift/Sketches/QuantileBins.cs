namespace BatchScoring.Core.Drift.Sketches;

/// <summary>
/// Counts and sums of every row's value in fine bins frozen from the reference's quantiles, from which the
/// Kolmogorov–Smirnov statistic and the Wasserstein distance of all rows are computed with a stated bound
/// (<see cref="Statistics.BinnedDistances"/>). Counts and sums merge exactly, so the result does not depend
/// on how the run was split. Half-open bins: 0 is below the first edge, i is [e(i−1), e(i)), the last is e(m)
/// and above.
/// </summary>
public sealed class QuantileBins
{
    /// <summary>Quantiles of the reference taken as edges (fewer when values repeat).</summary>
    public const int Resolution = 512;

    private readonly EdgeIndex _index;

    public QuantileBins(double[] edges)
    {
        Edges = edges;
        _index = new EdgeIndex(edges);
        Counts = new long[edges.Length == 0 ? 0 : edges.Length + 1];
        Sums = new double[Counts.Length];
    }

    public double[] Edges { get; }
    public long[] Counts { get; }
    public double[] Sums { get; }

    /// <summary>Counts a value (when there are edges) and returns its bin: the number of edges at or below it.</summary>
    public int Add(double value)
    {
        if (Edges.Length == 0)
            return 0;
        var index = _index.CountAtOrBelow(value);
        Counts[index]++;
        Sums[index] += value;
        return index;
    }

    public void Merge(QuantileBins other)
    {
        for (var i = 0; i < Counts.Length; i++)
        {
            Counts[i] += other.Counts[i];
            Sums[i] += other.Sums[i];
        }
    }

    /// <summary>Distinct quantiles 0, 1/Resolution, …, 1 of the sorted sample, with the exact minimum and maximum outermost.</summary>
    public static double[] EdgesFrom(double[] sortedSample, double min, double max)
    {
        var edges = new List<double>(Resolution + 1) { min };
        for (var j = 1; j < Resolution; j++)
        {
            var position = (double)j / Resolution * (sortedSample.Length - 1);
            var below = (int)Math.Floor(position);
            var above = Math.Min(below + 1, sortedSample.Length - 1);
            edges.Add(sortedSample[below] + (position - below) * (sortedSample[above] - sortedSample[below]));
        }
        edges.Add(max);
        return edges.Where(e => e >= min && e <= max).Distinct().Order().ToArray();
    }
}
