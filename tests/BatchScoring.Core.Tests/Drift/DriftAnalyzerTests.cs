using BatchScoring.Core.Drift;
using BatchScoring.Core.Errors;
using BatchScoring.Core.Jobs;
using BatchScoring.Testing;

namespace BatchScoring.Core.Tests.Drift;

public class DriftAnalyzerTests
{
    public static TheoryData<int> ReferenceSizes => new() { 800, 20_000 };

    [Theory]
    [MemberData(nameof(ReferenceSizes))]
    public void Data_from_the_reference_distribution_is_not_flagged(int referenceRows)
    {
        var reference = DriftTestData.Reference(referenceRows, seed: 1);
        var report = DriftAnalyzer.Analyze(reference, DriftTestData.Current(reference, 800, seed: 2, new Plant()), DriftSpec.Default, "test");
        Assert.All(report.Features, f => Assert.False(f.Drifted, $"{f.Feature}: {f.Method} {f.Statistic} p={f.PValue}"));
        Assert.False(report.Summary.DatasetDrift);
        Assert.False(report.Summary.PredictionDrift);
        Assert.Equal(5, report.Summary.InputFeatures);
        Assert.Equal(referenceRows, report.Summary.ReferenceRows);
    }

    [Theory]
    [MemberData(nameof(ReferenceSizes))]
    public void A_mean_shift_is_flagged(int referenceRows) =>
        AssertOnlyDrifted(referenceRows, new Plant { AgeShift = 8 }, "age", "probability", "predicted_label");

    [Theory]
    [MemberData(nameof(ReferenceSizes))]
    public void A_variance_change_is_flagged(int referenceRows) =>
        AssertOnlyDrifted(referenceRows, new Plant { IncomeScale = 2 }, "income");

    [Theory]
    [MemberData(nameof(ReferenceSizes))]
    public void A_new_category_is_flagged_and_counted_as_unseen(int referenceRows)
    {
        var report = AssertOnlyDrifted(referenceRows, new Plant { NewPlanShare = 0.25 }, "plan");
        var plan = report.Features.Single(f => f.Feature == "plan");
        Assert.InRange(plan.Statistics["unseen_share"], 0.2, 0.3);
        Assert.Contains(plan.Bins, b => b.Bin == "(other)" && b.Reference == 0 && b.Current > 0.2);
    }

    [Theory]
    [MemberData(nameof(ReferenceSizes))]
    public void A_jump_in_the_missing_rate_is_flagged(int referenceRows)
    {
        var report = AssertOnlyDrifted(referenceRows, new Plant { TenureMissing = 0.3 }, "tenure");
        var tenure = report.Features.Single(f => f.Feature == "tenure");
        Assert.InRange(tenure.MissingRateChange, 0.2, 0.35);
    }

    [Theory]
    [MemberData(nameof(ReferenceSizes))]
    public void A_shift_of_the_score_distribution_is_prediction_drift(int referenceRows)
    {
        var report = AssertOnlyDrifted(referenceRows, new Plant { ScoreShift = 1.0 }, "probability", "predicted_label");
        Assert.True(report.Summary.PredictionDrift);
        Assert.False(report.Summary.DatasetDrift);
        Assert.Equal(0, report.Summary.DriftedShare);
    }

    [Fact]
    public void Small_references_use_p_value_tests_and_large_ones_distances()
    {
        var small = Analyze(800, new Plant());
        Assert.Equal(DriftMethod.KolmogorovSmirnov, Method(small, "age"));
        Assert.Equal(DriftMethod.ChiSquared, Method(small, "plan"));
        Assert.Equal(DriftMethod.ZTest, Method(small, "has_app"));
        var large = Analyze(20_000, new Plant());
        Assert.Equal(DriftMethod.Wasserstein, Method(large, "age"));
        Assert.Equal(DriftMethod.JensenShannon, Method(large, "plan"));
        Assert.Equal(DriftMethod.JensenShannon, Method(large, "has_app"));
        Assert.All(large.Features, f => Assert.NotNull(f.PValue));
    }

    [Fact]
    public void Overrides_in_the_job_choose_method_and_threshold()
    {
        var spec = DriftSpec.Default with
        {
            Features = new Dictionary<string, FeatureDriftOverride>
            {
                ["age"] = new(DriftMethod.Psi, 0.01),
                ["plan"] = new(DriftMethod.LInfinity, null),
            },
        };
        var reference = DriftTestData.Reference(20_000, seed: 1);
        var report = DriftAnalyzer.Analyze(reference, DriftTestData.Current(reference, 5000, 2, new Plant { AgeShift = 3 }), spec, "test");
        var age = report.Features.Single(f => f.Feature == "age");
        Assert.Equal((DriftMethod.Psi, 0.01), (age.Method, age.Threshold));
        Assert.Equal(age.Statistics["psi"], age.Statistic);
        Assert.True(age.Drifted);
        var plan = report.Features.Single(f => f.Feature == "plan");
        Assert.Equal((DriftMethod.LInfinity, 0.1), (plan.Method, plan.Threshold));

        var wrong = spec with { Features = new Dictionary<string, FeatureDriftOverride> { ["plan"] = new(DriftMethod.KolmogorovSmirnov, null) } };
        var e = Assert.Throws<BatchScoringException>(() => DriftAnalyzer.Analyze(reference, reference, wrong, "test"));
        Assert.Contains("'plan'", e.Message);
    }

    [Fact]
    public void The_dataset_is_flagged_when_the_drifted_share_reaches_the_threshold()
    {
        var report = Analyze(800, new Plant { AgeShift = 8, IncomeScale = 2, NewPlanShare = 0.3 });
        Assert.Equal(3, report.Summary.DriftedInputFeatures);
        Assert.Equal(0.6, report.Summary.DriftedShare, 1e-12);
        Assert.True(report.Summary.DatasetDrift);
        Assert.True(report.Summary.FdrDrift);
        Assert.True(report.Features.Single(f => f.Feature == "age").FdrRejected);
        Assert.Equal(["age", "income", "plan"], report.BySeverity.Where(f => f.Role == FeatureRole.Input).Take(3).Select(f => f.Feature).Order());
    }

    /// <summary>
    /// Under the null (current drawn like the reference) each test must flag at most at its nominal
    /// rate 0.05: over 200 seeds that is 10 expected; 19 is 3 binomial standard deviations above.
    /// </summary>
    [Fact]
    public void Over_many_seeds_reference_data_is_flagged_at_no_more_than_the_nominal_rate()
    {
        const int seeds = 200;
        var flagged = new Dictionary<string, int>();
        var fdr = 0;
        for (var seed = 0; seed < seeds; seed++)
        {
            var reference = DriftTestData.Reference(500, seed: 10_000 + seed);
            var report = DriftAnalyzer.Analyze(reference, DriftTestData.Current(reference, 400, seed, new Plant()), DriftSpec.Default, "test");
            foreach (var feature in report.Features.Where(f => f.Drifted))
                flagged[feature.Feature] = flagged.GetValueOrDefault(feature.Feature) + 1;
            fdr += report.Summary.FdrDrift ? 1 : 0;
        }
        Assert.All(flagged, f => Assert.True(f.Value <= 19, $"{f.Key} flagged in {f.Value} of {seeds} null runs"));
        Assert.True(fdr <= 19, $"the FDR flag was raised in {fdr} of {seeds} null runs");
    }

    private static DriftReport AssertOnlyDrifted(int referenceRows, Plant plant, params string[] expected)
    {
        var report = Analyze(referenceRows, plant);
        Assert.Equal(expected.Order(), report.Features.Where(f => f.Drifted).Select(f => f.Feature).Order());
        return report;
    }

    private static DriftReport Analyze(int referenceRows, Plant plant)
    {
        var reference = DriftTestData.Reference(referenceRows, seed: 1);
        return DriftAnalyzer.Analyze(reference, DriftTestData.Current(reference, 800, seed: 2, plant), DriftSpec.Default, "test");
    }

    private static DriftMethod Method(DriftReport report, string feature) => report.Features.Single(f => f.Feature == feature).Method;
}
