using System.CommandLine;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace BatchScoring.Worker.Cli;

/// <summary>
/// <c>-o table|json</c>: a table for people, or one JSON document on stdout for scripts. The JSON uses snake_case
/// names, UTC instants in ISO 8601 and null for what is unknown; its fields are documented in the README.
/// </summary>
internal static class OutputFormat
{
    public const string Table = "table";
    public const string Json = "json";

    private static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DictionaryKeyPolicy = null,
        WriteIndented = true,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public static Option<string> Create() => new Option<string>("--output", "-o")
    {
        Description = "table (default) or json.",
        DefaultValueFactory = _ => Table,
    }.AcceptOnlyFromAmong(Table, Json);

    public static bool IsJson(ParseResult parse, Option<string> option) => parse.GetValue(option) == Json;

    public static void Write<T>(T value) => Console.WriteLine(Serialize(value));

    public static string Serialize<T>(T value) => JsonSerializer.Serialize(value, Options);

    /// <summary>A duration in seconds, to a tenth.</summary>
    public static double? Seconds(DateTime? start, DateTime? end) => start is { } s && end is { } e ? Math.Round((e - s).TotalSeconds, 1) : null;

    /// <summary><c>1h02m</c>, <c>3m05s</c>, <c>4.2s</c>.</summary>
    public static string Duration(double? seconds) => seconds switch
    {
        null => "",
        < 60 => $"{seconds:F1}s",
        < 3600 => $"{(int)(seconds / 60)}m{(int)(seconds % 60):D2}s",
        _ => $"{(int)(seconds / 3600)}h{(int)(seconds % 3600 / 60):D2}m",
    };
}
