using System.Text.RegularExpressions;

namespace BatchScoring.Core.Sql;

/// <summary>
/// A validated PostgreSQL identifier, optionally schema-qualified. Only plain identifiers are accepted
/// (letters, digits, underscores, not starting with a digit, at most 63 bytes per part), so a name
/// from a job file can never carry SQL; <see cref="Quoted"/> is still used everywhere it is spliced.
/// </summary>
public sealed partial record SqlIdentifier
{
    private SqlIdentifier(string? schema, string name)
    {
        Schema = schema;
        Name = name;
    }

    public string? Schema { get; }
    public string Name { get; }

    public string Quoted => Schema is null ? Quote(Name) : $"{Quote(Schema)}.{Quote(Name)}";

    public override string ToString() => Schema is null ? Name : $"{Schema}.{Name}";

    public static bool IsValidPart(string part) => part.Length is > 0 and <= 63 && PartPattern().IsMatch(part);

    public static SqlIdentifier Parse(string text, string what = "identifier")
        => TryParse(text, out var id, out var error) ? id : throw new FormatException($"Invalid {what} '{text}': {error}");

    public static bool TryParse(string? text, out SqlIdentifier identifier, out string error)
    {
        identifier = null!;
        if (string.IsNullOrWhiteSpace(text))
        {
            error = "it is empty";
            return false;
        }
        var parts = text.Split('.');
        if (parts.Length > 2)
        {
            error = "use at most one dot (schema.name)";
            return false;
        }
        foreach (var part in parts)
        {
            if (!IsValidPart(part))
            {
                error = $"'{part}' must start with a letter or underscore and contain only letters, digits and underscores (at most 63)";
                return false;
            }
        }
        identifier = parts.Length == 2 ? new SqlIdentifier(parts[0], parts[1]) : new SqlIdentifier(null, parts[0]);
        error = "";
        return true;
    }

    public static string Quote(string part) => "\"" + part.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_]*$")]
    private static partial Regex PartPattern();
}
