using System.Collections.Concurrent;
using BatchScoring.Core.Drift;
using BatchScoring.Core.Drift.Statistics;
using BatchScoring.Core.Jobs;

namespace BatchScoring.Core.Tests.Drift;

/// <summary>
/// Issue 16's targets on random inputs of 1 to 10⁶ rows per side (three cases near 10⁶): ties, constant
/// columns, 0/1 columns, NaN and infinities, shifts, runs of up to eight partitions (the first of one row).
/// The sketch's KS D and Wasserstein W are checked against the exact values of all rows, and its verdicts
/// against the verdicts of those exact values.
/// </summary>
public class DriftPropertyTests
{
    private const int Cases = 120;

    [Fact]
    public void Random_inputs_up_to_a_million_rows_never_throw_stay_within_the_bounds_and_give_the_exact_verdicts()
    {
        var outcomes = new ConcurrentBag<Outcome>();
        Parallel.For(0, Cases, test => outcomes.Add(Check(test)));

        var failures = outcomes.Select(o => o.BoundFailure).OfType<string>().ToArray();
        Assert.True(failures.Length == 0, string.Join(Environment.NewLine, failures));
        var decided = outcomes.Where(o => o.VerdictAgrees is not null).ToArray();
        // Binned cases whose exact statistic is farther from the threshold than the bound: the verdict must match.
        Assert.True(decided.Length >= 30, $"only {decided.Length} binned cases away from the threshold");
        var agreeing = decided.Count(o => o.VerdictAgrees == true);
        Assert.True(agreeing >= 0.99 * decided.Length, $"verdicts equal the exact ones in {agreeing} of {decided.Length} cases");
    }

    private sealed record Outcome(string? BoundFailure, bool? VerdictAgrees);

    private static Outcome Check(int test)
    {
        var random = new Random(16_000 + test);
        int Size() => test < 3 ? random.Next(900_000, 1_000_001) : (int)Math.Clamp(Math.Round(Math.Exp(random.NextDouble() * Math.Log(1e6))), 1, 1e6);
        var shape = test % 8;
        var (location, scale) = random.Next(3) switch { 0 => (0.0, 1.0), 1 => (random.NextDouble() * 0.5, 1.0), _ => (0.0, 1 + random.NextDouble() * 0.5) };
        var share = random.NextDouble();
        double Draw(double shift, double spread) => shape switch
        {
            0 => SketchedValues.Normal(random) * spread + shift,
            1 => Math.Round((3 * SketchedValues.Normal(random) + shift) * spread, 1),
            2 => 7,
            3 => random.NextDouble() < share + shift / 2 ? 1 : 0,
            4 => random.NextDouble() < 0.05 ? double.NaN : SketchedValues.Normal(random) * spread + shift,
            5 => Math.Exp(SketchedValues.Normal(random) * spread + shift),
            6 => random.Next(0, 3 + (int)(share * 40)),
            _ => random.NextDouble() < 0.01 ? double.PositiveInfinity : random.NextDouble() < 0.3 ? 0 : 10 * random.NextDouble() * spread + shift,
        };
        var referenceValues = Enumerable.Range(0, Size()).Select(_ => Draw(0, 1)).ToArray();
        var currentValues = Enumerable.Range(0, Size()).Select(_ => Draw(location, scale)).ToArray();
        var drift = SketchedValues.Analyze(referenceValues, currentValues, partitions: random.Next(1, 9));
        var x = drift.Statistics;
        var label = $"case {test} (shape {shape}, {referenceValues.Length} vs {currentValues.Length} rows)";

        if (x.Values.Any(double.IsNaN) || x.Where(p => p.Key.EndsWith("p_value", StringComparison.Ordinal)).Any(p => p.Value is < 0 or > 1))
            return new Outcome($"{label}: {string.Join(", ", x)}", null);
        if (!x.TryGetValue("ks", out var binnedD) || x["ks_asymptotic"] == 0)
            return new Outcome(null, null);

        var reference = referenceValues.Where(double.IsFinite).Order().ToArray();
        var current = currentValues.Where(double.IsFinite).Order().ToArray();
        var (exactD, exactW) = Exact(reference, current);
        var wTolerance = 1e-9 * (1 + Math.Abs(reference[^1]) + Math.Abs(current[^1]));
        if (exactD < binnedD - 1e-12 || exactD > binnedD + x["ks_bound"] + 1e-12)
            return new Outcome($"{label}: exact D {exactD} outside [{binnedD}, {binnedD} + {x["ks_bound"]}]", null);
        if (Math.Abs(exactW - x["wasserstein"]) > x["wasserstein_bound"] + wTolerance)
            return new Outcome($"{label}: exact W {exactW} not within {x["wasserstein_bound"]} of {x["wasserstein"]}", null);

        return new Outcome(null, Agrees(drift, reference, current, exactD, exactW));
    }

    /// <summary>
    /// Whether the sketch's verdict is the exact one, when the exact statistic is farther from the threshold than
    /// the bound (null when it is not, or the deciding method is not binned).
    /// </summary>
    private static bool? Agrees(FeatureDrift drift, double[] reference, double[] current, double exactD, double exactW)
    {
        var x = drift.Statistics;
        var missingDrifted = Math.Abs(x["missing_rate_change"]) >= DriftSpec.Default.DistanceThreshold / 2 && x["missing_p_value"] < DriftSpec.Default.PValueThreshold;
        bool exactDrifted, away;
        if (drift.Method == DriftMethod.Wasserstein)
        {
            var mean = reference.Average();
            var std = Math.Sqrt(reference.Sum(v => (v - mean) * (v - mean)) / reference.Length);
            var exact = exactW / (std > 0 ? std : 1);
            exactDrifted = exact >= drift.Threshold;
            away = Math.Abs(exact - drift.Threshold) > x["wasserstein_normed_bound"];
        }
        else if (drift.Method == DriftMethod.KolmogorovSmirnov)
        {
            var n = Math.Max(1, (long)Math.Round((double)reference.Length * current.Length / (reference.Length + current.Length), MidpointRounding.ToEven));
            exactDrifted = KolmogorovDistribution.Survival(n, exactD) < drift.Threshold;
            // The binned D is at most the bound below the exact D.
            away = exactDrifted == KolmogorovDistribution.Survival(n, Math.Max(0, exactD - x["ks_bound"])) < drift.Threshold;
        }
        else
            return null;
        return away ? drift.Drifted == (exactDrifted || missingDrifted) : null;
    }

    /// <summary>The exact KS D and Wasserstein W of two sorted samples, in one merge.</summary>
    private static (double D, double W) Exact(double[] a, double[] b)
    {
        int i = 0, j = 0;
        double d = 0, w = 0, previous = Math.Min(a[0], b[0]);
        while (i < a.Length || j < b.Length)
        {
            var next = j == b.Length || (i < a.Length && a[i] <= b[j]) ? a[i] : b[j];
            w += Math.Abs((double)i / a.Length - (double)j / b.Length) * (next - previous);
            while (i < a.Length && a[i] == next)
                i++;
            while (j < b.Length && b[j] == next)
                j++;
            d = Math.Max(d, Math.Abs((double)i / a.Length - (double)j / b.Length));
            previous = next;
        }
        return (d, w);
    }
}
