using BatchScoring.Core.Batches;
using BatchScoring.Core.Drift;
using BatchScoring.Core.Drift.Sketches;
using BatchScoring.Core.Drift.Statistics;
using BatchScoring.Core.Jobs;
using BatchScoring.Testing;

namespace BatchScoring.Core.Tests.Drift;

/// <summary>The targets of issue 16 on generated data, with seed counts that keep the suite quick.</summary>
public class DriftTargetTests
{
    private static readonly ColumnSchema[] Schema = [new("id", ColumnKind.Int64), new("x", ColumnKind.Float64)];

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
                0 => Normal(random) + shift,
                1 => Math.Round(3 * Normal(random) + shift, 1),
                2 => Math.Exp(Normal(random) + shift),
                _ => random.NextDouble() < 0.3 ? 0 : 10 * random.NextDouble() + shift,
            };
            var shift = random.NextDouble() < 0.5 ? 0 : random.NextDouble();
            var referenceValues = Enumerable.Range(0, random.Next(2500, 6000)).Select(_ => Draw(0)).ToArray();
            var currentValues = Enumerable.Range(0, random.Next(2500, 6000)).Select(_ => Draw(shift)).ToArray();
            var x = Analyze(referenceValues, currentValues).Statistics;

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
                2 => random.NextDouble() < 0.05 ? double.NaN : Normal(random),
                3 => random.Next(5) * 0.5,
                4 => random.NextDouble() < 0.5 ? double.PositiveInfinity : random.Next(30),
                _ => Math.Round(Normal(random), random.Next(3)),
            };
            double[] Values() => Enumerable.Range(0, random.NextDouble() < 0.2 ? random.Next(1, 5) : random.Next(1, 6000)).Select(_ => Draw()).ToArray();
            var report = Analyze(Values(), Values(), partitions: random.Next(1, 8));
            foreach (var (name, value) in report.Statistics.Where(p => p.Key.EndsWith("p_value", StringComparison.Ordinal)))
                Assert.InRange(value, 0, 1);
            Assert.False(report.Statistics.Values.Any(double.IsNaN), string.Join(", ", report.Statistics));
        }
    }

    public static TheoryData<int, int> NullSizes => new() { { 1_000, 200 }, { 10_000, 60 } };

    /// <summary>
    /// Reference and run over the same keys and the same distribution: the dataset verdict and the FDR
    /// decision at most at the nominal 5 % (plus three binomial standard deviations for the seed count).
    /// </summary>
    [Theory]
    [MemberData(nameof(NullSizes))]
    public void False_alarms_stay_at_the_nominal_rate_with_reference_and_run_over_the_same_keys(int rows, int seeds)
    {
        int dataset = 0, fdr = 0;
        for (var seed = 0; seed < seeds; seed++)
        {
            var reference = DriftTestData.Reference(rows, seed: 50_000 + seed);
            var report = DriftAnalyzer.Analyze(reference, DriftTestData.Current(reference, rows, seed, new Plant(), firstKey: 0), DriftSpec.Default, "test");
            dataset += report.Summary.DatasetDrift ? 1 : 0;
            fdr += report.Summary.FdrDrift ? 1 : 0;
        }
        var allowed = seeds * 0.05 + 3 * Math.Sqrt(seeds * 0.05 * 0.95);
        Assert.True(dataset <= allowed, $"dataset drift in {dataset} of {seeds} null runs");
        Assert.True(fdr <= allowed, $"FDR drift in {fdr} of {seeds} null runs");
    }

    public static TheoryData<string, string> Shifts => new()
    {
        { "mean +0.2 sd", "age" },
        { "sd x 1.2", "income" },
        { "family share doubled", "plan" },
        { "dominant plan vanishes", "plan" },
        { "missing 2 % -> 12 %", "tenure" },
        { "score shift", "probability" },
    };

    /// <summary>At 10k rows on each side, flagged (its verdict, or the FDR decision) in at least 95 % of 40 seeds.</summary>
    [Theory]
    [MemberData(nameof(Shifts))]
    public void Planted_shifts_are_flagged_at_10k_rows(string shift, string feature)
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
        const int seeds = 40;
        var flagged = 0;
        for (var seed = 0; seed < seeds; seed++)
        {
            var reference = DriftTestData.Reference(10_000, seed: 70_000 + seed);
            var report = DriftAnalyzer.Analyze(reference, DriftTestData.Current(reference, 10_000, seed, plant), DriftSpec.Default, "test");
            var f = report.Features.Single(f => f.Feature == feature);
            flagged += f.Drifted || f.FdrRejected ? 1 : 0;
        }
        Assert.True(flagged >= 0.95 * seeds, $"{shift}: {feature} flagged in {flagged} of {seeds} seeds");
    }

    [Fact]
    public void A_0_1_column_moving_from_0_3_to_0_6_is_flagged_at_10k_rows_in_every_seed()
    {
        for (var seed = 0; seed < 40; seed++)
        {
            var random = new Random(seed);
            double[] Flags(double share) => Enumerable.Range(0, 10_000).Select(_ => random.NextDouble() < share ? 1.0 : 0.0).ToArray();
            var report = Analyze(Flags(0.3), Flags(0.6));
            Assert.True(report.Drifted, $"seed {seed}: {report.Method} {report.Statistic}");
        }
    }

    private static FeatureDrift Analyze(double[] referenceValues, double[] currentValues, int partitions = 1)
    {
        var features = new[] { FeatureDefinition.Of(Schema[1], FeatureRole.Input) };
        var reference = Fill(Fill(DatasetSketch.Unfrozen(features), referenceValues, 0, 1).FreezeLayout(), referenceValues, 0, 1);
        var current = Fill(reference.EmptyCopy(DatasetSketch.RunSalt(1)), currentValues, 10_000_000, partitions);
        return DriftAnalyzer.Analyze(reference, current, DriftSpec.Default, "test").Features.Single();
    }

    /// <summary>Adds the values split into partitions that are sketched apart and merged (a one-row partition included).</summary>
    private static DatasetSketch Fill(DatasetSketch sketch, double[] values, long firstKey, int partitions)
    {
        var bounds = Enumerable.Range(0, partitions + 1).Select(i => i == 0 ? 0 : i == partitions ? values.Length : Math.Min(values.Length, i == 1 ? 1 : i * values.Length / partitions)).ToArray();
        for (var p = 0; p < partitions; p++)
        {
            var (start, end) = (bounds[p], Math.Max(bounds[p], bounds[p + 1]));
            var part = sketch.EmptyCopy();
            var batch = new RowBatch(Schema, end - start) { Count = end - start };
            for (var i = start; i < end; i++)
            {
                batch.Column<long>("id").Set(i - start, firstKey + i);
                batch.Column<double>("x").Set(i - start, values[i]);
            }
            part.Add(batch, FeatureRole.Input, RowKeyHasher.Hash(batch, ["id"]));
            sketch.Merge(DatasetSketch.FromJson(part.ToJson()));
        }
        return sketch;
    }

    private static double Normal(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
}
