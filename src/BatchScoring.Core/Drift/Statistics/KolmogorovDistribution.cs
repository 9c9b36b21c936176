using MathNet.Numerics;

namespace BatchScoring.Core.Drift.Statistics;

/// <summary>
/// P(D_n ≥ d) for the two-sided one-sample Kolmogorov–Smirnov statistic, as scipy 1.10's
/// <c>kstwo.sf(d, n)</c> (<c>_kolmogn</c>, after Simard and L'Ecuyer 2011), which <c>ks_2samp(method='asymp')</c>
/// evaluates at n = round(n1·n2/(n1 + n2)). Where scipy uses Durbin's matrix or Pomeranz's recursion
/// (n ≤ 140, or n ≤ 100000 with n·d^1.5 ≤ 1.4) the Pelz–Good expansion stands in; 2·P(D⁺ ≥ d), used
/// in the tail, is exact by the Birnbaum–Tingey sum and never below the two-sided probability.
/// </summary>
public static class KolmogorovDistribution
{
    private const double MinLog = -708;

    public static double Survival(long n, double d)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(n, 1);
        if (double.IsNaN(d) || d <= 0)
            return 1;
        if (d >= 1)
            return 0;
        var t = n * d;
        if (t <= 1)
        {
            // Ruben–Gambino: P(D ≤ d) = n!/n^n (2t − 1)^n for 1/2n ≤ d ≤ 1/n.
            if (t <= 0.5)
                return 1;
            var cdf = Math.Exp(SpecialFunctions.GammaLn(n + 1.0) - n * Math.Log(n) + n * Math.Log(2 * t - 1));
            return Clip(1 - cdf);
        }
        if (t >= n - 1)
            return Clip(2 * Math.Pow(1 - d, n));
        var nxSquared = t * d;
        if (d >= 0.5 || nxSquared >= 2.2)
            return nxSquared >= 370 ? 0 : Clip(2 * OneSidedSurvival(n, d));
        return Clip(1 - PelzGoodCdf(n, d));
    }

    /// <summary>P(D⁺_n ≥ d) = d Σ_{j=0}^{⌊n(1−d)⌋} C(n, j) (d + j/n)^(j−1) (1 − d − j/n)^(n−j), summed in logs.</summary>
    private static double OneSidedSurvival(long n, double d)
    {
        var last = (long)Math.Floor(n * (1 - d));
        var logs = new double[last + 1];
        var max = double.NegativeInfinity;
        var logFactorialN = SpecialFunctions.GammaLn(n + 1.0);
        for (long j = 0; j <= last; j++)
        {
            var upper = 1 - d - (double)j / n;
            var term = logFactorialN - SpecialFunctions.GammaLn(j + 1.0) - SpecialFunctions.GammaLn(n - j + 1.0)
                + (j - 1) * Math.Log(d + (double)j / n) + (upper > 0 ? (n - j) * Math.Log(upper) : n == j ? 0 : double.NegativeInfinity);
            logs[j] = term;
            max = Math.Max(max, term);
        }
        var sum = logs.Sum(l => Math.Exp(l - max));
        return d * Math.Exp(max) * sum;
    }

    /// <summary>The Pelz–Good (1976) approximation of P(D_n ≤ d), ported from scipy's <c>_kolmogn_PelzGood</c>.</summary>
    private static double PelzGoodCdf(long n, double x)
    {
        var z = Math.Sqrt(n) * x;
        double z2 = z * z, z3 = z2 * z, z4 = z2 * z2, z6 = z4 * z2;
        var qlog = -Math.PI * Math.PI / 8 / z2;
        if (qlog < MinLog)
            return 0;
        var q = Math.Exp(qlog);
        double pi2 = Math.PI * Math.PI, pi4 = pi2 * pi2, pi6 = pi4 * pi2;
        double k1a = -z2, k1b = pi2 / 4;
        double k2a = 6 * z6 + 2 * z4, k2b = (2 * z4 - 5 * z2) * pi2 / 4, k2c = pi4 * (1 - 2 * z2) / 16;
        double k3d = pi6 * (5 - 30 * z2) / 64, k3c = pi4 * (-60 * z2 + 212 * z4) / 16, k3b = pi2 * (135 * z4 - 96 * z6) / 4, k3a = -30 * z6 - 90 * z4 * z4;
        var k = new double[4];
        var maxk = (int)Math.Ceiling(16 * z / Math.PI);
        for (var i = maxk; i >= 1; i--)
        {
            double m = 2 * i - 1, m2 = m * m, m4 = m2 * m2, m6 = m4 * m2;
            var qpower = Math.Pow(q, 8 * i);
            k[0] = k[0] * qpower + 1;
            k[1] = k[1] * qpower + k1a + k1b * m2;
            k[2] = k[2] * qpower + k2a + k2b * m2 + k2c * m4;
            k[3] = k[3] * qpower + k3a + k3b * m2 + k3c * m4 + k3d * m6;
        }
        var sqrt2Pi = Math.Sqrt(2 * Math.PI);
        double[] divisors = [z, 6 * z4, 72 * z6 * z, 6480 * z6 * z4];
        for (var i = 0; i < 4; i++)
            k[i] = k[i] * q * sqrt2Pi / divisors[i];
        var q2 = Math.Exp(-pi2 / 2 / z2);
        double k2extra = 0, k3extra = 0, sqrt3z = Math.Sqrt(3) * z;
        for (var i = maxk; i >= 1; i--)
        {
            double ks2 = (double)i * i, qp = Math.Pow(q2, ks2), kspi = Math.PI * i;
            k2extra += ks2 * qp;
            k3extra += (sqrt3z + kspi) * (sqrt3z - kspi) * ks2 * qp;
        }
        k[2] += k2extra * pi2 * sqrt2Pi / (-36 * z3);
        k[3] += k3extra * pi2 * sqrt2Pi / (216 * z6);
        return k[0] + k[1] / Math.Sqrt(n) + k[2] / n + k[3] / (n * Math.Sqrt(n));
    }

    private static double Clip(double p) => Math.Clamp(p, 0, 1);
}
