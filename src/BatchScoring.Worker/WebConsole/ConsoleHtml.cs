using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;

namespace BatchScoring.Worker.WebConsole;

/// <summary>
/// The console's page frame and the few HTML fragments every page uses. Every value that comes from the database,
/// a job file or a request goes through <c>E</c> (or <see cref="Path"/> for URL segments) before it is written.
/// </summary>
internal static class ConsoleHtml
{
    private static readonly (string Href, string Label)[] Navigation = [("/", "Runs"), ("/jobs", "Jobs"), ("/models", "Models")];

    public static string E(string? text) => text is null ? "" : HtmlEncoder.Default.Encode(text);

    public static string E(long value) => value.ToString("N0", CultureInfo.InvariantCulture);

    /// <summary>A URL path segment, escaped for the URL and then for the attribute it is written into.</summary>
    public static string Path(string segment) => E(Uri.EscapeDataString(segment));

    /// <param name="live">The JSON twin <c>console.js</c> polls while the page shows a running run; null for a static page.</param>
    public static string Page(string title, string body, string? live = null)
    {
        var html = new StringBuilder(body.Length + 1024);
        html.Append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">")
            .Append("<title>").Append(E(title)).Append(" · batchscoring</title><link rel=\"stylesheet\" href=\"").Append(ConsoleAssets.CssPath).Append("\">")
            .Append("<link rel=\"icon\" href=\"data:,\"></head>");
        html.Append(live is null ? "<body>" : $"<body data-live=\"{E(live)}\">");
        html.Append("<header><a class=\"brand\" href=\"/\">batchscoring</a><nav>");
        foreach (var (href, label) in Navigation)
            html.Append("<a href=\"").Append(href).Append("\">").Append(label).Append("</a>");
        html.Append("</nav></header><main><h1>").Append(E(title)).Append("</h1>").Append(body).Append("</main>");
        html.Append("<script src=\"").Append(ConsoleAssets.JsPath).Append("\"></script></body></html>\n");
        return html.ToString();
    }

    public static string Time(DateTime? utc) => utc is { } t ? t.ToUniversalTime().ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture) : "";

    public static string Status(string status) => $"<span class=\"status s-{E(status)}\">{E(status.Replace('_', ' '))}</span>";

    public static string RunLink(long runId) => $"<a href=\"/runs/{runId}\">{runId}</a>";

    public static string JobLink(string job) => $"<a href=\"/jobs/{Path(job)}\">{E(job)}</a>";

    /// <summary>A long text cut to <paramref name="width"/> characters, the whole of it in the tooltip.</summary>
    public static string Short(string? text, int width)
    {
        if (string.IsNullOrEmpty(text))
            return "";
        var line = text.ReplaceLineEndings(" ");
        return line.Length <= width ? E(line) : $"<span title=\"{E(line)}\">{E(line[..(width - 1)])}…</span>";
    }

    /// <summary>A table in a box that scrolls sideways on a narrow screen; <paramref name="rows"/> are already HTML.</summary>
    public static string Table(IEnumerable<string> headers, IEnumerable<string> rows, string? empty = null)
    {
        var html = new StringBuilder("<div class=\"scroll\"><table><thead><tr>");
        foreach (var header in headers)
            html.Append("<th>").Append(E(header)).Append("</th>");
        html.Append("</tr></thead><tbody>");
        var any = false;
        foreach (var row in rows)
        {
            any = true;
            html.Append(row);
        }
        if (!any && empty is not null)
            html.Append("<tr><td class=\"empty\" colspan=\"99\">").Append(E(empty)).Append("</td></tr>");
        return html.Append("</tbody></table></div>").ToString();
    }

    /// <summary>A row of cells that are already HTML.</summary>
    public static string Row(params string[] cells)
    {
        var html = new StringBuilder("<tr>");
        foreach (var cell in cells)
            html.Append("<td>").Append(cell).Append("</td>");
        return html.Append("</tr>").ToString();
    }

    /// <summary>A two-column table of label (plain text) and value (HTML).</summary>
    public static string Facts(params (string Label, string Html)[] facts)
    {
        var html = new StringBuilder("<div class=\"scroll\"><table class=\"facts\">");
        foreach (var (label, value) in facts)
            html.Append("<tr><th>").Append(E(label)).Append("</th><td>").Append(value).Append("</td></tr>");
        return html.Append("</table></div>").ToString();
    }
}
