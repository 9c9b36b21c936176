using System.Reflection;

namespace BatchScoring.Worker.WebConsole;

/// <summary>The console's stylesheet and script, embedded in the executable (nothing is fetched from elsewhere).</summary>
internal static class ConsoleAssets
{
    public const string CssPath = "/assets/console.css";
    public const string JsPath = "/assets/console.js";

    public static readonly string Css = Read("console.css");
    public static readonly string Js = Read("console.js");

    private static string Read(string name)
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream("WebConsole." + name)
            ?? throw new InvalidOperationException($"The console's {name} is not embedded in the executable.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
