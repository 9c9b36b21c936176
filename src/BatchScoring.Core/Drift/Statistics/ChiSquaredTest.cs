using MathNet.Numerics;

namespace BatchScoring.Core.Drift.Statistics;

/// <summary>
/// Pearson's chi-squared test of homogeneity on the 2×C table of reference and current counts, as
/// <c>scipy.stats.chi2_contingency(table, correction=False)</c>; categories empty on both sides are dropped.
/// </summary>
public static class ChiSquaredTest
{
    public readonly record struct Result(double Statistic, double PValue, int DegreesOfFreedom);

    public static Result Homogeneity(IReadOnlyList<long> reference, IReadOnlyList<long> current)
    {
        if (reference.Count != current.Count)
            throw new ArgumentException("Reference and current counts must cover the same categories.");
        var columns = Enumerable.Range(0, reference.Count).Where(i => reference[i] + current[i] > 0).ToArray();
        double refTotal = reference.Sum(), curTotal = current.Sum();
        if (columns.Length < 2 || refTotal == 0 || curTotal == 0)
            return new Result(0, 1, 0);
        var total = refTotal + curTotal;
        var statistic = 0.0;
        foreach (var i in columns)
        {
            double column = reference[i] + current[i];
            statistic += Term(reference[i], refTotal * column / total) + Term(current[i], curTotal * column / total);
        }
        var dof = columns.Length - 1;
        return new Result(statistic, SurvivalFunction(statistic, dof), dof);
    }

    /// <summary>P(X ≥ x) for X ~ χ²(dof): the regularized upper incomplete gamma Q(dof/2, x/2).</summary>
    public static double SurvivalFunction(double x, int dof) => x <= 0 ? 1 : SpecialFunctions.GammaUpperRegularized(dof / 2.0, x / 2.0);

    private static double Term(double observed, double expected) => (observed - expected) * (observed - expected) / expected;
}
