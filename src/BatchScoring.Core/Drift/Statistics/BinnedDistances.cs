using BatchScoring.Core.Drift.Sketches;

namespace BatchScoring.Core.Drift.Statistics;

/// <summary>A value computed from bins and the most it can differ from the value on the raw rows.</summary>
public readonly record struct Bounded(double Value, double Bound);

/// <summary>
/// The two-sample Kolmogorov–Smirnov statistic and the Wasserstein distance of all rows, from counts and
/// sums over the same <see cref="QuantileBins"/>.
/// </summary>
public static class BinnedDistances
{
    /// <summary>
    /// D at the bin edges, max |F1(e−) − F2(e−)|: never more than the exact D, and at most the largest share
    /// either side has in one bin less — that share is the bound, 0 when every value sits on an edge.
    /// </summary>
    public static Bounded KolmogorovSmirnov(QuantileBins reference, QuantileBins current, bool valuesOnEdges)
    {
        double n1 = reference.Counts.Sum(), n2 = current.Counts.Sum();
        double c1 = 0, c2 = 0, d = 0, bound = 0;
        for (var i = 0; i < reference.Counts.Length; i++)
        {
            c1 += reference.Counts[i];
            c2 += current.Counts[i];
            // Just below the next edge, or (all mass on edges) at this bin's own value.
            d = Math.Max(d, Math.Abs(c1 / n1 - c2 / n2));
            bound = Math.Max(bound, Math.Max(reference.Counts[i] / n1, current.Counts[i] / n2));
        }
        return new Bounded(Math.Clamp(d, 0, 1), valuesOnEdges ? 0 : bound);
    }

    /// <summary>
    /// W between the two sides with each bin's rows moved to their mean. Moving the rows of a bin of width w
    /// to their mean moves them by at most w/2 on average, so the exact W is within Σ share·w/2 of both sides
    /// (tail bins reach to each side's minimum or maximum); 0 when every value sits on an edge.
    /// </summary>
    public static Bounded Wasserstein(QuantileBins reference, (double Min, double Max) referenceRange,
        QuantileBins current, (double Min, double Max) currentRange, bool valuesOnEdges)
    {
        var atoms = Atoms(reference, 0).Concat(Atoms(current, 1)).OrderBy(a => a.Position).ToArray();
        double f1 = 0, f2 = 0, distance = 0;
        for (var k = 0; k < atoms.Length - 1; k++)
        {
            if (atoms[k].Side == 0)
                f1 += atoms[k].Share;
            else
                f2 += atoms[k].Share;
            distance += Math.Abs(f1 - f2) * (atoms[k + 1].Position - atoms[k].Position);
        }
        var bound = valuesOnEdges ? 0 : HalfWidthMass(reference, referenceRange) + HalfWidthMass(current, currentRange);
        return new Bounded(distance, bound);
    }

    private static IEnumerable<(double Position, double Share, int Side)> Atoms(QuantileBins bins, int side)
    {
        double n = bins.Counts.Sum();
        for (var i = 0; i < bins.Counts.Length; i++)
        {
            if (bins.Counts[i] > 0)
                yield return (bins.Sums[i] / bins.Counts[i], bins.Counts[i] / n, side);
        }
    }

    private static double HalfWidthMass(QuantileBins bins, (double Min, double Max) range)
    {
        double n = bins.Counts.Sum(), total = 0;
        var edges = bins.Edges;
        for (var i = 0; i < bins.Counts.Length; i++)
        {
            if (bins.Counts[i] == 0)
                continue;
            var low = i == 0 ? range.Min : edges[i - 1];
            var high = i == edges.Length ? range.Max : edges[i];
            total += bins.Counts[i] / n * Math.Max(0, high - low) / 2;
        }
        return total;
    }
}
