using System.CommandLine;
using System.CommandLine.Parsing;
using System.Text.RegularExpressions;

namespace BatchScoring.Worker.Cli;

/// <summary>
/// Command-line mistakes: each is one line on stderr in the user's terms (a whole number, not
/// <c>System.Nullable`1[System.Int32]</c>), and the exit code is 2 like any other bad input.
/// </summary>
internal static partial class ParseErrors
{
    private static readonly Dictionary<string, string> TypeNames = new(StringComparer.Ordinal)
    {
        ["System.Int32"] = "a whole number",
        ["System.Int64"] = "a whole number",
        ["System.Double"] = "a number",
        ["System.Boolean"] = "true or false",
        ["System.DateTime"] = "a date",
    };

    /// <summary>True when the command line has errors that a help request does not excuse.</summary>
    public static bool Any(ParseResult parse) => parse.Errors.Count > 0 && parse.Action is not { ClearsParseErrors: true };

    /// <summary>Every error of the command line in one line, with where to read more.</summary>
    public static int Print(ParseResult parse)
    {
        var command = string.Join(' ', CommandPath(parse).Prepend("batchscoring"));
        Console.Error.WriteLine($"error: {string.Join("; ", parse.Errors.Select(e => InUserTerms(e.Message)).Distinct())} (see `{command} --help`)");
        return ExitCodes.InvalidInput;
    }

    public static string InUserTerms(string message)
    {
        var match = CannotParse().Match(message);
        if (!match.Success)
            return message.TrimEnd('.');
        var type = match.Groups["type"].Value;
        var inner = NullableOf().Match(type) is { Success: true } nullable ? nullable.Groups["inner"].Value : type;
        var expected = TypeNames.TryGetValue(inner, out var name) ? name : "one of the values --help lists";
        return $"{match.Groups["of"].Value}: '{match.Groups["value"].Value}' is not {expected}";
    }

    private static List<string> CommandPath(ParseResult parse)
    {
        var names = new List<string>();
        for (var result = parse.CommandResult; result.Command is not RootCommand && result.Parent is CommandResult parent; result = parent)
            names.Insert(0, result.Command.Name);
        return names;
    }

    [GeneratedRegex(@"^Cannot parse argument '(?<value>[^']*)' for (command|option) '(?<of>[^']+)' as expected type '(?<type>[^']+)'")]
    private static partial Regex CannotParse();

    [GeneratedRegex(@"^System\.Nullable`1\[(?<inner>[^\]]+)\]$")]
    private static partial Regex NullableOf();
}
