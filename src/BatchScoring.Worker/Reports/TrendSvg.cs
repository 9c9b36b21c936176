using System.Globalization;
using System.Text;
using BatchScoring.Core.Drift;
using BatchScoring.Postgres.Drift;

namespace BatchScoring.Worker.Reports;

/// <summary>
/// A feature's deciding value over its job's last runs as a small line chart: the statistic of a distance,
/// or the p-value of a test on a log axis (lower is more drift), the threshold dashed, drifted runs red,
/// and this run ringed with its value written next to it.
/// </summary>
internal static class TrendSvg
{
    public const int Width = 340;
    private const int Height = 210;
    private const int Left = 58;
    private const int Right = 14;
    private const int Top = 30;
    private const int PlotHeight = 122;
    private const int MaxRunLabels = 5;

    public static string Render(FeatureDrift feature, long runId, IReadOnlyList<DriftTrendPoint> trend)
    {
        var isTest = feature.IsPValueTest;
        var points = trend
            .Where(p => p.Method == feature.Method && (isTest ? p.PValue is not null : p.Statistic is not null))
            .Select(p => (Point: p, Value: isTest ? MinusLog(p.PValue!.Value) : p.Statistic!.Value))
            .ToArray();
        var threshold = isTest ? MinusLog(feature.Threshold) : feature.Threshold;
        var ticks = isTest
            ? ChartTicks.UpTo(Math.Max(4, Math.Max(threshold, points.Select(p => p.Value).DefaultIfEmpty(0).Max()) * 1.1), integers: true)
            : ChartTicks.UpTo(Math.Max(threshold, points.Select(p => p.Value).DefaultIfEmpty(0).Max()) * 1.15);
        var top = ticks[^1];
        var plotWidth = Width - Left - Right;
        var baseline = Top + PlotHeight;
        double Y(double value) => baseline - Math.Min(value, top) / top * PlotHeight;
        var slot = points.Length > 1 ? (double)plotWidth / (points.Length - 1) : 0;
        double X(int i) => points.Length > 1 ? Left + i * slot : Left + plotWidth / 2.0;

        var what = isTest ? $"{DriftNames.Of(feature.Method)} p-value" : DriftNames.Of(feature.Method);
        var svg = new StringBuilder();
        svg.Append(CultureInfo.InvariantCulture,
            $"""<svg xmlns="http://www.w3.org/2000/svg" class="trend" width="{Width}" height="{Height}" viewBox="0 0 {Width} {Height}" role="img" aria-label="{Html.E(feature.Feature)}: {what} over the last {points.Length} runs">""");
        svg.Append(CultureInfo.InvariantCulture, $"""<text x="4" y="14" class="panel-title">{what}, last {points.Length} run{(points.Length == 1 ? "" : "s")}</text>""");
        foreach (var tick in ticks)
            svg.Append(CultureInfo.InvariantCulture,
                $"""<line x1="{Left}" y1="{Y(tick):0.#}" x2="{Left + plotWidth}" y2="{Y(tick):0.#}" class="{(tick == 0 ? "axis" : "grid")}"/><text x="{Left - 6}" y="{Y(tick) + 4:0.#}" text-anchor="end" class="tick">{(isTest ? PowerOfTen(tick) : Number(tick))}</text>""");
        var middle = Top + PlotHeight / 2;
        svg.Append(CultureInfo.InvariantCulture,
            $"""<text x="12" y="{middle}" transform="rotate(-90 12 {middle})" text-anchor="middle" class="axis-title">{(isTest ? "p-value (log)" : "statistic")}</text>""");
        svg.Append(CultureInfo.InvariantCulture,
            $"""<line x1="{Left}" y1="{Y(threshold):0.#}" x2="{Left + plotWidth}" y2="{Y(threshold):0.#}" class="threshold"/><text x="{Left + 4}" y="{Y(threshold) - 4:0.#}" class="threshold-label">threshold {Number(feature.Threshold)}</text>""");
        if (points.Length > 1)
            svg.Append(CultureInfo.InvariantCulture,
                $"""<polyline points="{string.Join(' ', points.Select((p, i) => FormattableString.Invariant($"{X(i):0.#},{Y(p.Value):0.#}")))}" class="trend-line"/>""");
        var every = Math.Max(1, (int)Math.Ceiling(points.Length / (double)MaxRunLabels));
        for (var i = 0; i < points.Length; i++)
        {
            var (point, value) = points[i];
            var current = point.RunId == runId;
            var shown = isTest ? DriftReason.PValue(point.PValue) : Number(point.Statistic!.Value);
            svg.Append(CultureInfo.InvariantCulture,
                $"""<circle cx="{X(i):0.#}" cy="{Y(value):0.#}" r="{(current ? 6 : 4)}" class="{(point.Drifted ? "point drifted-point" : "point")}{(current ? " current-point" : "")}"><title>run {point.RunId}{Window(point)}: {shown}{(point.Drifted ? ", drift" : "")}</title></circle>""");
            if (current)
                svg.Append(CultureInfo.InvariantCulture,
                    $"""<text x="{X(i):0.#}" y="{Y(value) - 10:0.#}" text-anchor="{(points.Length > 1 ? "end" : "middle")}" class="change">this run: {shown}</text>""");
            if (current || (i % every == 0 && points.Length - 1 - i > every / 2.0))
                svg.Append(CultureInfo.InvariantCulture,
                    $"""<text x="{X(i):0.#}" y="{baseline + 16}" text-anchor="middle" class="bin-label">{point.RunId}</text>""");
        }
        svg.Append(CultureInfo.InvariantCulture,
            $"""<text x="{Left + plotWidth / 2}" y="{baseline + 36}" text-anchor="middle" class="axis-title">run id (oldest → this run)</text>""");
        svg.Append("</svg>");
        return svg.ToString();
    }

    private static double MinusLog(double p) => -Math.Log10(Math.Max(p, 1e-300));

    private static string PowerOfTen(double exponent) => exponent switch
    {
        0 => "1",
        <= 3 => Math.Pow(10, -exponent).ToString("0.###", CultureInfo.InvariantCulture),
        _ => FormattableString.Invariant($"1e-{exponent:0}"),
    };

    private static string Number(double value) => value.ToString("G3", CultureInfo.InvariantCulture);

    private static string Window(DriftTrendPoint p) => p.WindowStart is { } start
        ? FormattableString.Invariant($", window from {start.ToUniversalTime():yyyy-MM-dd HH:mm} UTC")
        : "";
}
