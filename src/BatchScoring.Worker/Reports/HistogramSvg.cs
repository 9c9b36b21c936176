using System.Globalization;
using System.Net;
using System.Text;
using BatchScoring.Core.Drift;

namespace BatchScoring.Worker.Reports;

/// <summary>One inline SVG: the reference histogram and the current one side by side, on the same scale.</summary>
internal static class HistogramSvg
{
    private const int PanelWidth = 360;
    private const int PanelHeight = 170;
    private const int Top = 24;
    private const int LabelSpace = 90;
    private const int Gap = 40;

    public static string Render(string feature, IReadOnlyList<BinShare> bins)
    {
        var width = 2 * PanelWidth + Gap;
        var height = Top + PanelHeight + LabelSpace;
        var max = Math.Max(bins.Select(b => Math.Max(b.Reference, b.Current)).DefaultIfEmpty(0).Max(), 1e-9);
        var svg = new StringBuilder();
        svg.Append(CultureInfo.InvariantCulture, $"""<svg xmlns="http://www.w3.org/2000/svg" class="histogram" width="{width}" height="{height}" viewBox="0 0 {width} {height}" role="img" aria-label="{Encode(feature)}: reference and current histograms">""");
        Panel(svg, 0, "reference", "#4c78a8", bins, b => b.Reference, max);
        Panel(svg, PanelWidth + Gap, "current", "#e45756", bins, b => b.Current, max);
        svg.Append("</svg>");
        return svg.ToString();
    }

    private static void Panel(StringBuilder svg, int left, string title, string color, IReadOnlyList<BinShare> bins, Func<BinShare, double> share, double max)
    {
        var baseline = Top + PanelHeight;
        svg.Append(CultureInfo.InvariantCulture, $"""<text x="{left + PanelWidth / 2}" y="14" text-anchor="middle" class="panel-title">{title}</text>""");
        svg.Append(CultureInfo.InvariantCulture, $"""<line x1="{left}" y1="{baseline}" x2="{left + PanelWidth}" y2="{baseline}" stroke="#888"/>""");
        if (bins.Count == 0)
            return;
        var slot = (double)PanelWidth / bins.Count;
        for (var i = 0; i < bins.Count; i++)
        {
            var value = share(bins[i]);
            var barHeight = value / max * PanelHeight;
            var x = left + i * slot + slot * 0.1;
            svg.Append(CultureInfo.InvariantCulture,
                $"""<rect x="{x:0.##}" y="{baseline - barHeight:0.##}" width="{slot * 0.8:0.##}" height="{barHeight:0.##}" fill="{color}"><title>{Encode(bins[i].Bin)}: {value:P1}</title></rect>""");
            var labelX = left + i * slot + slot / 2;
            svg.Append(CultureInfo.InvariantCulture,
                $"""<text x="{labelX:0.##}" y="{baseline + 10}" transform="rotate(40 {labelX:0.##} {baseline + 10})" class="bin-label">{Encode(Shorten(bins[i].Bin))}</text>""");
        }
    }

    private static string Shorten(string label) => label.Length <= 18 ? label : label[..17] + "…";

    private static string Encode(string text) => WebUtility.HtmlEncode(text);
}
