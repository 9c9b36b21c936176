using System.Globalization;
using System.Text.RegularExpressions;
using BatchScoring.Core.Drift;
using BatchScoring.Core.Jobs;
using BatchScoring.Postgres.Drift;
using BatchScoring.Testing;
using BatchScoring.Worker.Reports;

namespace BatchScoring.IntegrationTests.Reports;

public class DriftReportHtmlTests
{
    [Fact]
    public async Task The_report_opens_in_headless_Chromium_with_one_histogram_per_feature_and_a_trend_per_flagged_one()
    {
        var report = ReportDocuments.Drifted();
        var file = Path.Combine(Path.GetTempPath(), $"drift-report-{Guid.NewGuid():N}.html");
        await File.WriteAllTextAsync(file, DriftReportHtml.Render(ReportDocuments.Of(report)));
        try
        {
            var dom = await HeadlessChromium.DumpDomAsync(file);

            Assert.Equal(report.Features.Count, Regex.Count(dom, "<svg[^>]*class=\"histogram\""));
            Assert.Equal(report.Features.Count(f => f.Drifted), Regex.Count(dom, "<svg[^>]*class=\"trend\""));
            Assert.Equal(report.Features.Count, Regex.Count(dom, "<section class=\"feature\""));
            Assert.Contains("model churn@1 &lt;profile&gt;", dom);
            // Drifted features come first.
            var sections = Regex.Matches(dom, "<section class=\"feature\" id=\"feature-([^\"]+)\"").Select(m => m.Groups[1].Value).ToArray();
            var drifted = report.Features.Where(f => f.Drifted).Select(f => f.Feature).ToArray();
            Assert.Contains("age", drifted);
            Assert.Contains("plan", drifted);
            Assert.Equal(drifted.Order(), sections.Take(drifted.Length).Order());
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public void One_histogram_overlays_both_sides_with_a_legend_a_share_axis_every_bin_label_and_the_largest_change_as_text()
    {
        var age = ReportDocuments.Drifted().Features.Single(f => f.Feature == "age");

        var svg = HistogramSvg.Render(age.Feature, age.Bins);

        Assert.Equal(age.Bins.Count, Regex.Count(svg, "class=\"ref-bar\""));
        Assert.Equal(age.Bins.Count, Regex.Count(svg, "class=\"cur-bar\""));
        Assert.Contains(">reference</text>", svg);
        Assert.Contains(">current</text>", svg);
        Assert.Contains(">share of rows with a value</text>", svg);
        var ticks = Regex.Matches(svg, "class=\"tick\">([0-9.]+)%</text>").Select(m => double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture)).ToArray();
        Assert.InRange(ticks.Length, 3, 5);
        Assert.Equal(0, ticks[0]);
        Assert.True(ticks[^1] >= age.Bins.Max(b => Math.Max(b.Reference, b.Current)) * 100, $"top tick {ticks[^1]}% is under the tallest bar");
        Assert.Equal(ticks.Length - 1, Regex.Count(svg, "class=\"grid\""));
        foreach (var bin in age.Bins)
            Assert.Contains($"class=\"bin-label\">{System.Net.WebUtility.HtmlEncode(bin.Bin)}</text>", svg);
        var largest = age.Bins.MaxBy(b => Math.Abs(b.Current - b.Reference))!;
        Assert.Contains(FormattableString.Invariant($"class=\"change\">{largest.Reference * 100:F1}% → {largest.Current * 100:F1}%</text>"), svg);
    }

    [Fact]
    public void Many_categories_keep_the_largest_by_name_and_fold_the_rest_into_one_named_bar()
    {
        var bins = Enumerable.Range(0, 60).Select(i => new BinShare($"city-{i:00}", i == 59 ? 0.3 : 0.7 / 59, i == 59 ? 0.1 : 0.9 / 59)).ToArray();

        var shown = HistogramBins.ForDisplay(bins);

        Assert.Equal(HistogramBins.MaxBars, shown.Count);
        Assert.Contains(shown, b => b.Bin == "city-59");
        Assert.Equal("(37 more)", shown[^1].Bin);
        Assert.Equal(1, shown.Sum(b => b.Reference), 9);
        Assert.Equal(1, shown.Sum(b => b.Current), 9);
    }

    [Fact]
    public void A_trend_draws_a_tests_p_values_on_a_log_axis_with_the_threshold_dashed_and_this_run_marked()
    {
        var age = ReportDocuments.Drifted().Features.Single(f => f.Feature == "age") with { Method = DriftMethod.KolmogorovSmirnov, Threshold = 0.05 };
        DriftTrendPoint Point(long run, double p, bool drifted) =>
            new("age", run, null, null, new DateTime(2026, 11, (int)run, 0, 0, 0, DateTimeKind.Utc), age.Method, 0.1, p, age.Threshold, drifted);
        DriftTrendPoint[] trend = [Point(1, 0.4, false), Point(2, 0.2, false), Point(3, 0.01, true), Point(4, 1e-9, true)];

        var svg = TrendSvg.Render(age, 4, trend);

        Assert.Equal(4, Regex.Count(svg, "<circle "));
        Assert.Equal(1, Regex.Count(svg, "current-point"));
        Assert.Equal(2, Regex.Count(svg, "drifted-point"));
        Assert.Contains("class=\"threshold\"", svg);
        Assert.Contains($"threshold {age.Threshold.ToString("G3", CultureInfo.InvariantCulture)}", svg);
        Assert.Contains("this run: 1e-09", svg);
        Assert.Contains("p-value (log)", svg);
        Assert.Contains(">4</text>", svg);
    }

    [Fact]
    public void The_page_needs_no_network()
    {
        var reference = DriftTestData.Reference(500, seed: 1);
        var html = DriftReportHtml.Render(ReportDocuments.Of(DriftAnalyzer.Analyze(reference, reference, DriftSpec.Default, "self")));
        Assert.DoesNotMatch("(src|href)=\"(https?:)?//", html);
        Assert.DoesNotContain("<script", html);
        Assert.DoesNotContain("<link", html);
    }

    [Fact]
    public void A_flagged_feature_says_why_and_an_underflowed_p_value_is_a_bound()
    {
        var plan = new FeatureDrift("plan", FeatureRole.Input, FeatureKind.Categorical, DriftMethod.ChiSquared, 950.0, 0.0, 0.05, 1, true, true,
            1000, 1000, 0.01, 0.01, new Dictionary<string, double>(),
            [new BinShare("basic", 0.6, 0.4), new BinShare("premium", 0.4, 0.3), new BinShare("enterprise", 0, 0.3)]);
        var reference = DriftTestData.Reference(500, seed: 1);
        var self = DriftAnalyzer.Analyze(reference, reference, DriftSpec.Default, "self");
        var html = DriftReportHtml.Render(ReportDocuments.Of(self with { Features = [plan, .. self.Features] }));

        Assert.Contains("chi_squared p-value &lt; 1e-300 is below the threshold 0.05; largest change: share of new category", html);
        Assert.Contains("enterprise: 0.0% → 30.0% (+30.0 points)", html);
        Assert.Contains("<td>rejected</td>", html);
    }

    [Fact]
    public void Values_outside_the_references_categories_are_named_as_such_not_as_a_new_category()
    {
        var city = new FeatureDrift("city", FeatureRole.Input, FeatureKind.Categorical, DriftMethod.JensenShannon, 0.3, 1e-20, 0.1, 3, true, true,
            1000, 1000, 0, 0, new Dictionary<string, double>(), [new BinShare("berlin", 0.8, 0.7), new BinShare("paris", 0.2, 0), new BinShare("(other)", 0, 0.3)]);

        Assert.EndsWith("largest change: share of values the reference does not have (\"(other)\") 0.0% → 30.0%.", DriftReason.For(city));

        // Named when the sketch kept their names: in the reason, in the "(other)" bar's label and in their own line.
        var named = city with { NewCategories = [new BinShare("digital-wallet", 0, 0.25), new BinShare("crypto", 0, 0.05)] };
        Assert.EndsWith("largest change: new categories \"digital-wallet\" (25.0%), \"crypto\" (5.0%).", DriftReason.For(named));
        var html = DriftReportHtml.Render(new DriftReportDocument(7, "churn", null, null, DateTime.UtcNow,
            new DriftReport(ReportDocuments.Drifted(new Plant()).Summary, [named]), []));
        Assert.Contains("(other: digital-wallet, crypto)", html);
        Assert.Contains("digital-wallet: 25.0% of the run's rows", html);
    }

    [Fact]
    public void A_feature_flagged_by_its_missing_rate_alone_says_so_and_that_its_method_stayed_under_the_threshold()
    {
        var tenure = ReportDocuments.Drifted(new Plant { TenureMissing = 0.12 }).Features.Single(f => f.Feature == "tenure");
        Assert.True(tenure.Drifted);
        Assert.True(tenure.Statistic < tenure.Threshold);

        Assert.Matches(@"^missing rate 2\.\d% → 1[12]\.\d% \(\+\d+\.\d points, z-test p-value [0-9.e-]+\) moved past half the distance threshold; wasserstein statistic [0-9.]+ is under its threshold 0\.1\.$",
            DriftReason.For(tenure));
    }

    [Fact]
    public void A_numeric_reason_names_the_mean_shift_or_the_spread_change_whichever_moved_more()
    {
        var report = ReportDocuments.Drifted(new Plant { AgeShift = 6, IncomeScale = 1.5 });

        var age = DriftReason.For(report.Features.Single(f => f.Feature == "age"));
        var income = DriftReason.For(report.Features.Single(f => f.Feature == "income"));

        Assert.Matches(@"largest change: mean 40\.\d\d → 4[56]\.\d\d \(\+0\.[45]\d sd\), share of ", age);
        Assert.Matches(@"largest change: standard deviation 1[45],\d{3} → 2[123],\d{3} \(×1\.[456]\d\), share of ", income);
    }

    [Fact]
    public void Sample_sizes_stand_next_to_the_row_counts()
    {
        var report = ReportDocuments.Drifted();
        var age = report.Features.Single(f => f.Feature == "age");
        var plan = report.Features.Single(f => f.Feature == "plan");
        Assert.NotNull(age.ReferenceSampleSize);

        var html = DriftReportHtml.Render(ReportDocuments.Of(report));

        Assert.Contains($"<td>{age.ReferenceRows:N0} / {age.CurrentRows:N0}</td><td>{age.ReferenceSampleSize:N0} / {age.CurrentSampleSize:N0}</td>", html);
        Assert.Contains($"<dd>{age.ReferenceSampleSize:N0} / {age.CurrentSampleSize:N0} (every value)</dd>", html);
        Assert.Contains($"<td>{plan.ReferenceRows:N0} / {plan.CurrentRows:N0}</td><td>—</td>", html);
        Assert.Contains("<dt>sample (reference / current)</dt><dd>none (counts of all rows)</dd>", html);
    }
}
