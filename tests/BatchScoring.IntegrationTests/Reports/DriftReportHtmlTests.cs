using System.Text.RegularExpressions;
using BatchScoring.Core.Drift;
using BatchScoring.Core.Jobs;
using BatchScoring.Testing;
using BatchScoring.Worker.Reports;

namespace BatchScoring.IntegrationTests.Reports;

public class DriftReportHtmlTests
{
    [Fact]
    public async Task The_report_opens_in_headless_Chromium_with_one_chart_per_feature()
    {
        var reference = DriftTestData.Reference(2000, seed: 1);
        var report = DriftAnalyzer.Analyze(reference, DriftTestData.Current(reference, 1500, seed: 2, new Plant { AgeShift = 6, NewPlanShare = 0.2 }),
            DriftSpec.Default, "model churn@1 <profile>");
        var file = Path.Combine(Path.GetTempPath(), $"drift-report-{Guid.NewGuid():N}.html");
        await File.WriteAllTextAsync(file, DriftReportHtml.Render("Drift of run 7", report));
        try
        {
            var dom = await HeadlessChromium.DumpDomAsync(file);

            Assert.Equal(report.Features.Count, Regex.Count(dom, "<svg[ >]"));
            Assert.Equal(report.Features.Count, Regex.Count(dom, "<section class=\"feature\""));
            Assert.Contains("model churn@1 &lt;profile&gt;", dom);
            // Drifted features come first, each with both histograms.
            var sections = Regex.Matches(dom, "<section class=\"feature\" id=\"feature-([^\"]+)\"").Select(m => m.Groups[1].Value).ToArray();
            var drifted = report.Features.Where(f => f.Drifted).Select(f => f.Feature).ToArray();
            Assert.Contains("age", drifted);
            Assert.Contains("plan", drifted);
            Assert.Equal(drifted.Order(), sections.Take(drifted.Length).Order());
            Assert.All(Regex.Matches(dom, "<svg[^>]*>.*?</svg>", RegexOptions.Singleline),
                svg => Assert.Contains(">reference<", svg.Value));
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public void The_page_needs_no_network()
    {
        var reference = DriftTestData.Reference(500, seed: 1);
        var html = DriftReportHtml.Render("r", DriftAnalyzer.Analyze(reference, reference, DriftSpec.Default, "self"));
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
        var html = DriftReportHtml.Render("r", self with { Features = [plan, .. self.Features] });

        Assert.Contains("chi_squared p-value &lt; 1e-300 is below the threshold 0.05; largest change: share of new category", html);
        Assert.Contains("enterprise", html);
        Assert.Contains("<td>rejected</td>", html);
    }
}
