using System.Globalization;
using System.Text;
using BatchScoring.Core.Drift;

namespace BatchScoring.Worker.Reports;

/// <summary>
/// One inline SVG per feature: per bin (or category) the reference's share as an outlined bar and the current
/// share as a filled one beside it, on one y axis of shares with gridlines, the bin labels under the x axis,
/// and the bin that changed most annotated with both shares.
/// </summary>
internal static class HistogramSvg
{
    public const int Width = 760;
    private const int PlotHeight = 190;
    private const int Top = 44;
    private const int Right = 16;
    private const int MinLeft = 62;
    private const double LabelAngle = 35;
    private const double CharWidth = 6.6;

    public const string ReferenceColor = "#1f5f9e";
    public const string CurrentColor = "#d6453d";

    public static string Render(string feature, IReadOnlyList<BinShare> allBins)
    {
        var bins = HistogramBins.ForDisplay(allBins);
        var labels = bins.Select(b => Shorten(b.Bin)).ToArray();
        var longest = labels.Select(l => l.Length).DefaultIfEmpty(1).Max();
        var radians = LabelAngle * Math.PI / 180;
        var labelDown = longest * CharWidth * Math.Sin(radians) + 12 * Math.Cos(radians);
        var labelLeft = longest * CharWidth * Math.Cos(radians);
        var slotGuess = (double)(Width - MinLeft - Right) / Math.Max(1, bins.Count);
        var left = (int)Math.Ceiling(Math.Max(MinLeft, labelLeft - slotGuess / 2 + 6));
        var plotWidth = Width - left - Right;
        var baseline = Top + PlotHeight;
        var height = (int)Math.Ceiling(baseline + 14 + labelDown + 8);

        var max = bins.Select(b => Math.Max(b.Reference, b.Current)).DefaultIfEmpty(0).Max();
        var ticks = ChartTicks.UpTo(max * 1.12);
        var top = ticks[^1];
        double Y(double share) => baseline - share / top * PlotHeight;

        var svg = new StringBuilder();
        svg.Append(CultureInfo.InvariantCulture,
            $"""<svg xmlns="http://www.w3.org/2000/svg" class="histogram" width="{Width}" height="{height}" viewBox="0 0 {Width} {height}" role="img" aria-label="{Html.E(feature)}: reference and current shares per bin">""");
        Legend(svg, left);
        foreach (var tick in ticks)
        {
            var y = Y(tick);
            svg.Append(CultureInfo.InvariantCulture,
                $"""<line x1="{left}" y1="{y:0.#}" x2="{left + plotWidth}" y2="{y:0.#}" class="{(tick == 0 ? "axis" : "grid")}"/><text x="{left - 6}" y="{y + 4:0.#}" text-anchor="end" class="tick">{Percent(tick, top)}</text>""");
        }
        var middle = Top + PlotHeight / 2;
        svg.Append(CultureInfo.InvariantCulture,
            $"""<text x="14" y="{middle}" transform="rotate(-90 14 {middle})" text-anchor="middle" class="axis-title">share of rows with a value</text>""");
        if (bins.Count > 0)
            Bars(svg, bins, labels, left, plotWidth, baseline, Y);
        svg.Append("</svg>");
        return svg.ToString();
    }

    private static void Legend(StringBuilder svg, int left)
    {
        svg.Append(CultureInfo.InvariantCulture,
            $"""<rect x="{left}" y="8" width="14" height="12" fill="{ReferenceColor}" fill-opacity="0.12" stroke="{ReferenceColor}" stroke-width="1.5"/><text x="{left + 20}" y="18" class="legend">reference</text>""");
        svg.Append(CultureInfo.InvariantCulture,
            $"""<rect x="{left + 110}" y="8" width="14" height="12" fill="{CurrentColor}" fill-opacity="0.8"/><text x="{left + 130}" y="18" class="legend">current</text>""");
    }

    private static void Bars(StringBuilder svg, IReadOnlyList<BinShare> bins, string[] labels, int left, int plotWidth, int baseline, Func<double, double> y)
    {
        var slot = (double)plotWidth / bins.Count;
        var bar = slot * 0.4;
        var largest = Enumerable.Range(0, bins.Count).MaxBy(i => Math.Abs(bins[i].Current - bins[i].Reference));
        for (var i = 0; i < bins.Count; i++)
        {
            var b = bins[i];
            var x = left + i * slot + slot * 0.1;
            var tip = $"{Html.E(b.Bin)}: reference {Percent(b.Reference)}, current {Percent(b.Current)}";
            svg.Append(CultureInfo.InvariantCulture,
                $"""<rect x="{x:0.##}" y="{y(b.Reference):0.##}" width="{bar:0.##}" height="{baseline - y(b.Reference):0.##}" fill="{ReferenceColor}" fill-opacity="0.12" stroke="{ReferenceColor}" stroke-width="1.5" class="ref-bar"><title>{tip}</title></rect>""");
            svg.Append(CultureInfo.InvariantCulture,
                $"""<rect x="{x + bar:0.##}" y="{y(b.Current):0.##}" width="{bar:0.##}" height="{baseline - y(b.Current):0.##}" fill="{CurrentColor}" fill-opacity="0.8" class="cur-bar"><title>{tip}</title></rect>""");
            var center = left + (i + 0.5) * slot;
            svg.Append(CultureInfo.InvariantCulture,
                $"""<text x="{center:0.##}" y="{baseline + 14}" transform="rotate(-{LabelAngle} {center:0.##} {baseline + 14})" text-anchor="end" class="bin-label">{Html.E(labels[i])}</text>""");
            if (i == largest)
                Annotation(svg, b, center, y(Math.Max(b.Reference, b.Current)) - 6, left, left + plotWidth);
        }
    }

    /// <summary>The largest change as text above its bin, kept inside the plot at either edge.</summary>
    private static void Annotation(StringBuilder svg, BinShare b, double center, double y, int left, int right)
    {
        var text = $"{Percent(b.Reference)} → {Percent(b.Current)}";
        var half = text.Length * CharWidth / 2;
        var (x, anchor) = center - half < left ? (left, "start") : center + half > right ? (right, "end") : (center, "middle");
        svg.Append(CultureInfo.InvariantCulture,
            $"""<text x="{x:0.##}" y="{y:0.##}" text-anchor="{anchor}" class="change">{Html.E(text)}</text>""");
    }

    private static string Percent(double share) => ReportText.Percent(share);

    /// <summary>A tick's percentage with as many decimals as the step needs (0%, 2.5%, 5%).</summary>
    private static string Percent(double tick, double top) =>
        (tick * 100).ToString(top >= 0.1 ? "0.#" : "0.##", CultureInfo.InvariantCulture) + "%";

    private static string Shorten(string label) => label.Length <= 22 ? label : label[..21] + "…";
}
