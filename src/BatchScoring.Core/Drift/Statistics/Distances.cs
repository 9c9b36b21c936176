namespace BatchScoring.Core.Drift.Statistics;

/// <summary>Distances between two distributions given as counts over the same bins, or as samples.</summary>
public static class Distances
{
    /// <summary>Shares below this count as this in PSI, so that an empty bin gives a large finite term instead of infinity.</summary>
    public const double PsiEpsilon = 1e-4;

    public static double[] Shares(IReadOnlyList<long> counts)
    {
        double total = counts.Sum();
        return counts.Select(c => total == 0 ? 0 : c / total).ToArray();
    }

    /// <summary>Population stability index Σ (c − r)·ln(c / r), shares clipped below at <see cref="PsiEpsilon"/>.</summary>
    public static double Psi(IReadOnlyList<double> reference, IReadOnlyList<double> current)
    {
        var psi = 0.0;
        for (var i = 0; i < reference.Count; i++)
        {
            double r = Math.Max(reference[i], PsiEpsilon), c = Math.Max(current[i], PsiEpsilon);
            psi += (c - r) * Math.Log(c / r);
        }
        return psi;
    }

    /// <summary>Jensen–Shannon distance in base 2 (0 to 1), as <c>scipy.spatial.distance.jensenshannon(p, q, base=2)</c>.</summary>
    public static double JensenShannon(IReadOnlyList<double> reference, IReadOnlyList<double> current)
    {
        double sumP = reference.Sum(), sumQ = current.Sum();
        var divergence = 0.0;
        for (var i = 0; i < reference.Count; i++)
        {
            double p = reference[i] / sumP, q = current[i] / sumQ, m = (p + q) / 2;
            divergence += RelativeEntropy(p, m) + RelativeEntropy(q, m);
        }
        return Math.Sqrt(Math.Max(0, divergence / 2 / Math.Log(2)));
    }

    public static double LInfinity(IReadOnlyList<double> reference, IReadOnlyList<double> current) =>
        reference.Select((r, i) => Math.Abs(current[i] - r)).DefaultIfEmpty(0).Max();

    /// <summary>The 1-Wasserstein (earth mover's) distance of two samples, as <c>scipy.stats.wasserstein_distance(u, v)</c>.</summary>
    public static double Wasserstein(IReadOnlyCollection<double> u, IReadOnlyCollection<double> v)
    {
        var uSorted = u.Order().ToArray();
        var vSorted = v.Order().ToArray();
        var all = uSorted.Concat(vSorted).Order().ToArray();
        double distance = 0;
        int iu = 0, iv = 0;
        for (var k = 0; k < all.Length - 1; k++)
        {
            while (iu < uSorted.Length && uSorted[iu] <= all[k])
                iu++;
            while (iv < vSorted.Length && vSorted[iv] <= all[k])
                iv++;
            distance += Math.Abs((double)iu / uSorted.Length - (double)iv / vSorted.Length) * (all[k + 1] - all[k]);
        }
        return distance;
    }

    private static double RelativeEntropy(double x, double y) => x == 0 ? 0 : x * Math.Log(x / y);
}
