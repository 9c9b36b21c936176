using System.Buffers.Binary;
using System.Text.RegularExpressions;
using BatchScoring.Core.Jobs;
using BatchScoring.Testing;
using BatchScoring.Worker.Reports;

namespace BatchScoring.IntegrationTests.Reports;

/// <summary>
/// The report of a run with several flagged features, as headless Chromium lays it out at desktop (1440×900) and
/// laptop (1280×800) widths: PNGs of both in <c>screenshots/</c> of the test output folder, no horizontal
/// overflow, no chart text outside its chart, and the reason, axes and trend charts in the page.
/// </summary>
public class DriftReportScreenshotTests
{
    // Runs in the page after everything above it is laid out: the page's scroll width, and every chart text that sticks out of its chart.
    private const string Probe = """
        <script>
        (function () {
          var cut = [];
          document.querySelectorAll('svg').forEach(function (svg) {
            var box = svg.getBoundingClientRect();
            svg.querySelectorAll('text').forEach(function (text) {
              var r = text.getBoundingClientRect();
              if (r.left < box.left - 0.5 || r.right > box.right + 0.5 || r.top < box.top - 0.5 || r.bottom > box.bottom + 0.5)
                cut.push(text.textContent);
            });
          });
          document.body.setAttribute('data-scroll-width', document.documentElement.scrollWidth);
          document.body.setAttribute('data-cut-texts', cut.join(' | '));
        })();
        </script>
        """;

    public static TheoryData<int, int> Screens => new() { { 1440, 900 }, { 1280, 800 } };

    [Theory]
    [MemberData(nameof(Screens))]
    public async Task The_report_of_a_drifted_run_fits_the_screen_and_shows_reasons_axes_and_trends(int width, int height)
    {
        // Income is decided by a test, so one trend shows p-values on its log axis.
        var spec = DriftSpec.Default with { Features = new Dictionary<string, FeatureDriftOverride> { ["income"] = new(DriftMethod.KolmogorovSmirnov, null) } };
        var report = ReportDocuments.Drifted(new Plant { AgeShift = 6, NewPlanShare = 0.2, IncomeScale = 1.4, TenureMissing = 0.12 }, spec);
        var flagged = report.Features.Where(f => f.Drifted).ToArray();
        Assert.True(flagged.Length >= 4, $"only {flagged.Length} features flagged");
        var html = DriftReportHtml.Render(ReportDocuments.Of(report, ReportDocuments.Trends(report)));
        var folder = Directory.CreateDirectory(Path.Combine(AppContext.BaseDirectory, "screenshots")).FullName;
        var page = Path.Combine(folder, $"drift-report-{width}x{height}.html");
        var probed = Path.Combine(Path.GetTempPath(), $"drift-report-probe-{Guid.NewGuid():N}.html");
        await File.WriteAllTextAsync(page, html);
        await File.WriteAllTextAsync(probed, html.Replace("</body>", Probe + "</body>", StringComparison.Ordinal));
        try
        {
            var png = Path.Combine(folder, $"drift-report-{width}x{height}.png");
            await HeadlessChromium.ScreenshotAsync(page, png, width, height);
            var header = new byte[24];
            await using (var stream = File.OpenRead(png))
                await stream.ReadExactlyAsync(header);
            Assert.Equal((width, height), (BinaryPrimitives.ReadInt32BigEndian(header.AsSpan(16)), BinaryPrimitives.ReadInt32BigEndian(header.AsSpan(20))));

            var dom = await HeadlessChromium.DumpDomAsync(probed, width, height);
            var scrollWidth = int.Parse(Regex.Match(dom, "data-scroll-width=\"(\\d+)\"").Groups[1].Value);
            Assert.True(scrollWidth <= width, $"the page is {scrollWidth} px wide in a {width} px window");
            Assert.Equal("", Regex.Match(dom, "data-cut-texts=\"([^\"]*)\"").Groups[1].Value);

            Assert.Equal(flagged.Length, Regex.Count(dom, "<p class=\"reason\">"));
            Assert.Contains("is above the threshold", dom);
            Assert.Contains("kolmogorov_smirnov p-value 1.043e-07 is below the threshold 0.05", dom);
            Assert.Contains(">p-value (log)</text>", dom);
            Assert.Equal(report.Features.Count, Regex.Count(dom, ">share of rows with a value</text>"));
            Assert.Equal(flagged.Length, Regex.Count(dom, "<svg[^>]*class=\"trend\""));
            Assert.Contains(">run id (oldest → this run)</text>", dom);
            Assert.Contains(">this run: ", dom);
        }
        finally
        {
            File.Delete(probed);
        }
    }
}
