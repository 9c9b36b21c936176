using MathNet.Numerics;

namespace BatchScoring.Core.Drift.Statistics;

/// <summary>
/// The two-sided two-proportion z-test with the pooled proportion:
/// z = (p1 − p2) / √(p(1−p)(1/n1 + 1/n2)), p-value = 2·Φ(−|z|) (equal to the uncorrected 2×2 chi-squared test).
/// </summary>
public static class TwoProportionZTest
{
    public readonly record struct Result(double Z, double PValue);

    public static Result Test(long successes1, long n1, long successes2, long n2)
    {
        if (n1 <= 0 || n2 <= 0)
            throw new ArgumentException("The two-proportion z-test needs two non-empty groups.");
        double p1 = (double)successes1 / n1, p2 = (double)successes2 / n2;
        var pooled = (double)(successes1 + successes2) / (n1 + n2);
        var variance = pooled * (1 - pooled) * (1.0 / n1 + 1.0 / n2);
        if (variance == 0)
            return new Result(0, 1);
        var z = (p2 - p1) / Math.Sqrt(variance);
        // Φ(−|z|) = erfc(|z|/√2)/2, accurate far into the tail.
        return new Result(z, SpecialFunctions.Erfc(Math.Abs(z) / Math.Sqrt(2)));
    }
}
