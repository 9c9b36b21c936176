using BatchScoring.Core.Drift;
using BatchScoring.Core.Drift.Statistics;
using BatchScoring.Core.Jobs;
using BatchScoring.Testing;

namespace BatchScoring.Core.Tests.Drift;

/// <summary>The targets of issue 16 on generated data, with seed counts that keep the suite quick.</summary>
public class DriftTargetTests
{
    [Fact]
    public void Binned_ks_and_wasserstein_on_all_rows_are_within_their_printed_bounds_of_the_exact_values()
    {
        var random = new Random(161);
        for (var test = 0; test < 60; test++)
        {
            // Beyond the 2,000-value samples, so the quantile bins decide; shapes with ties, tails and shifts.
            var shape = test % 4;
            double Draw(double shift) => shape switch
            {
                0 => SketchedValues.Normal(random) + shift,
                1 => Math.Round(3 * SketchedValues.Normal(random) + shift, 1),
                2 => Math.Exp(SketchedValues.Normal(random) + shift),
                _ => random.NextDouble() < 0.3 ? 0 : 10 * random.NextDouble() + shift,
            };
            var shift = random.NextDouble() < 0.5 ? 0 : random.NextDouble();
            var referenceValues = Enumerable.Range(0, random.Next(2500, 6000)).Select(_ => Draw(0)).ToArray();
            var currentValues = Enumerable.Range(0, random.Next(2500, 6000)).Select(_ => Draw(shift)).ToArray();
            var x = SketchedValues.Analyze(referenceValues, currentValues).Statistics;

            var exactD = KolmogorovSmirnov.TwoSample(referenceValues, currentValues).Statistic;
            var exactW = Distances.Wasserstein(referenceValues, currentValues);
            Assert.Equal(1, x["ks_asymptotic"]);
            Assert.InRange(exactD, x["ks"] - 1e-12, x["ks"] + x["ks_bound"] + 1e-12);
            Assert.InRange(exactW, x["wasserstein"] - x["wasserstein_bound"] - 1e-9, x["wasserstein"] + x["wasserstein_bound"] + 1e-9);
            // Without ties or a shift a bin holds about 1/512 of each side; a tied value is one bin whatever its
            // share, and a shifted run piles up in the tail bins beyond the reference's range.
            if (shape is 0 or 2 && shift == 0)
                Assert.True(x["ks_bound"] < 0.01, $"shape {shape}: KS bound {x["ks_bound"]}");
        }
    }

    [Fact]
    public void No_input_of_the_property_test_throws_and_every_probability_is_in_the_unit_interval()
    {
        var random = new Random(1616);
        for (var test = 0; test < 300; test++)
        {
            var kind = test % 6;
            double Draw() => kind switch
            {
                0 => 7,
                1 => random.Next(2),
                2 => random.NextDouble() < 0.05 ? double.NaN : SketchedValues.Normal(random),
                3 => random.Next(5) * 0.5,
                4 => random.NextDouble() < 0.5 ? double.PositiveInfinity : random.Next(30),
                _ => Math.Round(SketchedValues.Normal(random), random.Next(3)),
            };
            double[] Values() => Enumerable.Range(0, random.NextDouble() < 0.2 ? random.Next(1, 5) : random.Next(1, 6000)).Select(_ => Draw()).ToArray();
            var report = SketchedValues.Analyze(Values(), Values(), partitions: random.Next(1, 8));
            foreach (var (name, value) in report.Statistics.Where(p => p.Key.EndsWith("p_value", StringComparison.Ordinal)))
                Assert.InRange(value, 0, 1);
            Assert.False(report.Statistics.Values.Any(double.IsNaN), string.Join(", ", report.Statistics));
        }
    }

    /// <summary>At 100k rows the seeds sketch four inputs (numeric, categorical, numeric with nulls, binary), not all.</summary>
    private static readonly string[] NullFeatures = ["age", "plan", "tenure", "has_app"];

    public static TheoryData<int> NullSizes => new() { 1_000, 10_000, 100_000 };

    /// <summary>
    /// Reference and run over the same keys and the same distribution, 200 seeds: the dataset verdict and the FDR
    /// decision at most at the nominal 5 % (plus three binomial standard deviations for the seed count).
    /// </summary>
    [Theory]
    [MemberData(nameof(NullSizes))]
    public void False_alarms_stay_at_the_nominal_rate_with_reference_and_run_over_the_same_keys(int rows)
    {
        const int seeds = 200;
        int dataset = 0, fdr = 0;
        Parallel.For(0, seeds, seed =>
        {
            var reference = DriftTestData.Reference(rows, seed: 50_000 + seed, only: rows >= 100_000 ? NullFeatures : null);
            var report = DriftAnalyzer.Analyze(reference, DriftTestData.Current(reference, rows, seed, new Plant(), firstKey: 0), DriftSpec.Default, "test");
            if (report.Summary.DatasetDrift)
                Interlocked.Increment(ref dataset);
            if (report.Summary.FdrDrift)
                Interlocked.Increment(ref fdr);
        });
        var allowed = seeds * 0.05 + 3 * Math.Sqrt(seeds * 0.05 * 0.95);
        Assert.True(dataset <= allowed, $"dataset drift in {dataset} of {seeds} null runs");
        Assert.True(fdr <= allowed, $"FDR drift in {fdr} of {seeds} null runs");
    }

    public static TheoryData<string, string, int> Shifts
    {
        get
        {
            var data = new TheoryData<string, string, int>();
            foreach (var rows in new[] { 10_000, 100_000 })
            {
                data.Add("mean +0.2 sd", "age", rows);
                data.Add("sd x 1.2", "income", rows);
                data.Add("family share doubled", "plan", rows);
                data.Add("dominant plan vanishes", "plan", rows);
                data.Add("missing 2 % -> 12 %", "tenure", rows);
                data.Add("score shift", "probability", rows);
            }
            return data;
        }
    }

    /// <summary>
    /// Flagged (its verdict, or the FDR decision) in at least 95 % of 40 seeds at 10k rows on each side (every
    /// feature sketched) and of 20 seeds at 100k rows (only the shifted feature sketched).
    /// </summary>
    [Theory]
    [MemberData(nameof(Shifts))]
    public void Planted_shifts_are_flagged(string shift, string feature, int rows)
    {
        var plant = shift switch
        {
            "mean +0.2 sd" => new Plant { AgeShift = 0.2 * 12 },
            "sd x 1.2" => new Plant { IncomeScale = 1.2 },
            "family share doubled" => new Plant { PlanWeights = [0.35, 0.3, 0.15, 0.2] },
            "dominant plan vanishes" => new Plant { PlanWeights = [0, 0.5, 0.33, 0.17] },
            "missing 2 % -> 12 %" => new Plant { TenureMissing = 0.12 },
            _ => new Plant { ScoreShift = 0.3 },
        };
        var seeds = rows >= 100_000 ? 20 : 40;
        var flagged = 0;
        Parallel.For(0, seeds, seed =>
        {
            var reference = DriftTestData.Reference(rows, seed: 70_000 + seed, only: rows >= 100_000 ? [feature] : null);
            var report = DriftAnalyzer.Analyze(reference, DriftTestData.Current(reference, rows, seed, plant), DriftSpec.Default, "test");
            var f = report.Features.Single(f => f.Feature == feature);
            if (f.Drifted || f.FdrRejected)
                Interlocked.Increment(ref flagged);
        });
        Assert.True(flagged >= 0.95 * seeds, $"{shift}: {feature} flagged in {flagged} of {seeds} seeds at {rows} rows");
    }

    [Theory]
    [InlineData(10_000)]
    [InlineData(100_000)]
    public void A_0_1_column_moving_from_0_3_to_0_6_is_flagged_in_every_seed(int rows)
    {
        for (var seed = 0; seed < 20; seed++)
        {
            var random = new Random(seed);
            double[] Flags(double share) => Enumerable.Range(0, rows).Select(_ => random.NextDouble() < share ? 1.0 : 0.0).ToArray();
            var report = SketchedValues.Analyze(Flags(0.3), Flags(0.6));
            Assert.True(report.Drifted, $"seed {seed}: {report.Method} {report.Statistic}");
        }
    }
}
