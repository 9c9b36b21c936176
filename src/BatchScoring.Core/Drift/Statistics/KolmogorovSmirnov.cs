namespace BatchScoring.Core.Drift.Statistics;

/// <summary>
/// The two-sided two-sample Kolmogorov–Smirnov test, ported from scipy 1.10's
/// <c>scipy.stats.ks_2samp(method='exact')</c> (<c>_attempt_exact_2kssamp</c>,
/// <c>_compute_prob_outside_square</c>, <c>_compute_outer_prob_inside_method</c>). Samples are
/// capped at <see cref="MaxExactSize"/>, where scipy's <c>method='auto'</c> is exact, so the two agree.
/// </summary>
public static class KolmogorovSmirnov
{
    public const int MaxExactSize = 10_000;

    public readonly record struct Result(double Statistic, double PValue);

    public static Result TwoSample(IReadOnlyCollection<double> sample1, IReadOnlyCollection<double> sample2)
    {
        var data1 = sample1.Order().ToArray();
        var data2 = sample2.Order().ToArray();
        int n1 = data1.Length, n2 = data2.Length;
        if (n1 == 0 || n2 == 0)
            throw new ArgumentException("The Kolmogorov–Smirnov test needs two non-empty samples.");
        if (Math.Max(n1, n2) > MaxExactSize)
            throw new ArgumentException($"Samples of {n1} and {n2} values: the exact test is used up to {MaxExactSize} values per sample.");

        var d = Statistic(data1, data2);
        var g = Gcd(n1, n2);
        return ExactTwoSided(n1, n2, g, d);
    }

    /// <summary>max |F1 − F2| over all points, the empirical CDFs evaluated as searchsorted(side='right') / n.</summary>
    private static double Statistic(double[] data1, double[] data2)
    {
        double maxS = double.NegativeInfinity, minS = double.PositiveInfinity;
        foreach (var x in data1.Concat(data2))
        {
            var diff = (double)UpperBound(data1, x) / data1.Length - (double)UpperBound(data2, x) / data2.Length;
            maxS = Math.Max(maxS, diff);
            minS = Math.Min(minS, diff);
        }
        var minusMin = Math.Clamp(-minS, 0, 1);
        return minusMin > maxS ? minusMin : maxS;
    }

    private static int UpperBound(double[] sorted, double x)
    {
        int lo = 0, hi = sorted.Length;
        while (lo < hi)
        {
            var mid = (lo + hi) >>> 1;
            if (sorted[mid] <= x)
                lo = mid + 1;
            else
                hi = mid;
        }
        return lo;
    }

    private static Result ExactTwoSided(int n1, int n2, int g, double d)
    {
        var lcm = (long)(n1 / g) * n2;
        var h = (long)Math.Round(d * lcm, MidpointRounding.ToEven);
        d = h * 1.0 / lcm;
        if (h == 0)
            return new Result(d, 1.0);
        var prob = n1 == n2 ? ProbOutsideSquare(n1, h) : OuterProbInsideMethod(n1, n2, g, h);
        // Rounding can carry the probability just past 1 (or below 0); scipy clips it, and so do we.
        return new Result(d, Math.Clamp(prob, 0, 1));
    }

    /// <summary>Pr(D(n,n) ≥ h/n) as 2·A0·(1 − A1·(1 − A2·(…))), the Horner form scipy uses against cancellation.</summary>
    private static double ProbOutsideSquare(long n, long h)
    {
        var p = 0.0;
        var k = (long)Math.Floor((double)n / h);
        while (k >= 0)
        {
            var p1 = 1.0;
            for (long j = 0; j < h; j++)
                p1 = (n - k * h - j) * p1 / (n + k * h + j + 1);
            p = p1 * (1.0 - p);
            k--;
        }
        return 2 * p;
    }

    /// <summary>
    /// The share of lattice paths from (0,0) to (m,n) that leave the band |x/m − y/n| &lt; h/lcm(m,n),
    /// computed directly as 1 − p by Viehmann's recursion on one sliding column.
    /// </summary>
    private static double OuterProbInsideMethod(long m, long n, long g, long h)
    {
        if (m < n)
            (m, n) = (n, m);
        var mg = m / g;
        var ng = n / g;
        long minj = 0;
        var maxj = Math.Min((long)Math.Ceiling((double)h / mg), n + 1);
        var curlen = maxj - minj;
        var lenA = Math.Min(2 * maxj + 2, n + 1);
        var a = new double[lenA];
        Array.Fill(a, 1.0);
        for (var j = minj; j < maxj; j++)
            a[j] = 0.0;
        for (long i = 1; i <= m; i++)
        {
            var lastminj = minj;
            var lastlen = curlen;
            minj = Math.Max((long)Math.Floor((double)(ng * i - h) / mg) + 1, 0);
            minj = Math.Min(minj, n);
            maxj = Math.Min((long)Math.Ceiling((double)(ng * i + h) / mg), n + 1);
            if (maxj <= minj)
                return 1.0;
            var val = minj == 0 ? 0.0 : 1.0;
            for (long jj = 0; jj < maxj - minj; jj++)
            {
                var j = jj + minj;
                val = (a[jj + minj - lastminj] * i + val * j) / (i + j);
                a[jj] = val;
            }
            curlen = maxj - minj;
            if (lastlen > curlen)
            {
                for (var k = maxj - minj; k < maxj - minj + (lastlen - curlen); k++)
                    a[k] = 1;
            }
        }
        return a[maxj - minj - 1];
    }

    private static int Gcd(int a, int b)
    {
        while (b != 0)
            (a, b) = (b, a % b);
        return a;
    }
}
