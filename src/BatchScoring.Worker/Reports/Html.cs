using System.Net;

namespace BatchScoring.Worker.Reports;

internal static class Html
{
    public static string E(string text) => WebUtility.HtmlEncode(text);
}
