using System.Globalization;
using System.Text;

namespace BatchScoring.Worker.Observability.Metrics;

/// <summary>Writes snapshots in the Prometheus text exposition format 0.0.4.</summary>
internal static class PrometheusTextWriter
{
    public const string ContentType = "text/plain; version=0.0.4; charset=utf-8";

    public static string Write(IEnumerable<InstrumentSnapshot> instruments)
    {
        var text = new StringBuilder();
        foreach (var instrument in instruments)
        {
            text.Append("# HELP ").Append(instrument.Name).Append(' ').Append(EscapeHelp(instrument.Description)).Append('\n');
            text.Append("# TYPE ").Append(instrument.Name).Append(instrument.IsHistogram ? " histogram\n" : " counter\n");
            foreach (var series in instrument.Series)
            {
                if (instrument.IsHistogram)
                {
                    for (var i = 0; i < instrument.Buckets!.Count; i++)
                        Line(text, instrument.Name + "_bucket", series.Labels, ("le", Number(instrument.Buckets[i])), series.BucketCounts![i]);
                    Line(text, instrument.Name + "_bucket", series.Labels, ("le", "+Inf"), series.Count);
                    Line(text, instrument.Name + "_sum", series.Labels, null, series.Sum);
                    Line(text, instrument.Name + "_count", series.Labels, null, series.Count);
                }
                else
                {
                    Line(text, instrument.Name, series.Labels, null, series.Sum);
                }
            }
        }
        return text.ToString();
    }

    private static void Line(StringBuilder text, string name, IReadOnlyList<KeyValuePair<string, string>> labels, (string Key, string Value)? extra, double value)
    {
        text.Append(name);
        var all = labels.Select(l => (l.Key, l.Value)).ToList();
        if (extra is { } e)
            all.Add(e);
        if (all.Count > 0)
            text.Append('{').AppendJoin(',', all.Select(l => $"{l.Key}=\"{EscapeLabel(l.Value)}\"")).Append('}');
        text.Append(' ').Append(Number(value)).Append('\n');
    }

    private static string Number(double value) => value switch
    {
        double.PositiveInfinity => "+Inf",
        double.NegativeInfinity => "-Inf",
        _ => value.ToString("R", CultureInfo.InvariantCulture),
    };

    private static string EscapeLabel(string value) => value.Replace("\\", "\\\\").Replace("\"", "\\\"").Replace("\n", "\\n");

    private static string EscapeHelp(string value) => value.Replace("\\", "\\\\").Replace("\n", "\\n");
}
