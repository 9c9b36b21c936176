using System.Globalization;
using BatchScoring.Core.Sql;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace BatchScoring.Core.Jobs;

/// <summary>
/// Typed reads from a YAML representation tree that never stop at a problem: each one is recorded
/// with the node's line and column and the read returns null, so a file's every error is reported at once.
/// </summary>
internal sealed class YamlNodeReader(string filePath)
{
    private static readonly HashSet<string> NullWords = ["", "~", "null", "Null", "NULL"];
    private readonly List<JobFileError> errors = [];

    public IReadOnlyList<JobFileError> Errors => errors;

    public void Error(Mark mark, string message) => errors.Add(new JobFileError(filePath, mark.Line, mark.Column, message));

    public void Error(YamlNode node, string message) => Error(node.Start, message);

    public JobFileLocation Location(YamlNode node) => new(filePath, node.Start.Line, node.Start.Column);

    public static bool IsNull(YamlNode node) => node is YamlScalarNode { Style: ScalarStyle.Plain or ScalarStyle.Any } scalar && NullWords.Contains(scalar.Value ?? "");

    /// <summary>A mapping whose keys must be those of <see cref="JobFileKeys"/> for <paramref name="path"/>.</summary>
    public YamlSection? Section(YamlNode node, string path)
    {
        if (node is not YamlMappingNode mapping)
        {
            Error(node, $"'{path}' must be a mapping (key: value lines), not {Describe(node)}");
            return null;
        }
        var sectionKey = JobFileKeys.Sections.ContainsKey(path) ? path : WildcardPath(path);
        var allowed = JobFileKeys.Sections[sectionKey];
        var values = new Dictionary<string, YamlNode>();
        foreach (var (keyNode, value) in mapping.Children)
        {
            if (keyNode is not YamlScalarNode { Value: { } key })
            {
                Error(keyNode, $"keys in '{path}' must be plain names");
                continue;
            }
            if (!allowed.Contains(key))
            {
                var where = path.Length == 0 ? "at the top level" : $"in '{path}'";
                Error(keyNode, $"unknown key '{key}' {where}; expected one of: {string.Join(", ", allowed)}");
                continue;
            }
            if (!IsNull(value))
                values[key] = value;
        }
        return new YamlSection(this, path, mapping, values);
    }

    /// <summary>A mapping whose keys the user chooses; each entry is returned with its key node.</summary>
    public IReadOnlyList<(YamlScalarNode Key, YamlNode Value)>? OpenMapping(YamlNode node, string path)
    {
        if (node is not YamlMappingNode mapping)
        {
            Error(node, $"'{path}' must be a mapping (name: value lines), not {Describe(node)}");
            return null;
        }
        var entries = new List<(YamlScalarNode, YamlNode)>();
        foreach (var (keyNode, value) in mapping.Children)
        {
            if (keyNode is YamlScalarNode { Value.Length: > 0 } key)
                entries.Add((key, value));
            else
                Error(keyNode, $"keys in '{path}' must be plain names");
        }
        return entries;
    }

    public string? String(YamlNode node, string path)
    {
        if (node is YamlScalarNode scalar)
            return scalar.Value;
        Error(node, $"'{path}' must be a text value, not {Describe(node)}");
        return null;
    }

    public bool? Bool(YamlNode node, string path)
    {
        var text = Plain(node, path, "true or false");
        return text switch
        {
            null => null,
            "true" or "True" or "TRUE" => true,
            "false" or "False" or "FALSE" => false,
            _ => Fail<bool>(node, $"'{path}' must be true or false, not '{text}'"),
        };
    }

    public long? Integer(YamlNode node, string path, long min, long max = long.MaxValue)
    {
        var text = Plain(node, path, "a whole number");
        if (text is null)
            return null;
        if (!long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value))
            return Fail<long>(node, $"'{path}' must be a whole number, not '{text}'");
        if (value < min || value > max)
            return Fail<long>(node, max == long.MaxValue ? $"'{path}' must be at least {min}, not {value}" : $"'{path}' must be between {min} and {max}, not {value}");
        return value;
    }

    public double? Number(YamlNode node, string path, double min, double max)
    {
        var text = Plain(node, path, "a number");
        if (text is null)
            return null;
        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || !double.IsFinite(value))
            return Fail<double>(node, $"'{path}' must be a number, not '{text}'");
        if (value < min || value > max)
            return Fail<double>(node, $"'{path}' must be between {min.ToString(CultureInfo.InvariantCulture)} and {max.ToString(CultureInfo.InvariantCulture)}, not {text}");
        return value;
    }

    public TimeSpan? Duration(YamlNode node, string path, bool allowZero = true)
    {
        var text = String(node, path);
        if (text is null)
            return null;
        if (!DurationText.TryParse(text, out var duration))
            return Fail<TimeSpan>(node, $"'{path}' must be a duration like 30s, 15m, 6h, 1d or 1h30m, not '{text}'");
        if (!allowZero && duration == TimeSpan.Zero)
            return Fail<TimeSpan>(node, $"'{path}' must be longer than zero");
        return duration;
    }

    public DateTime? Timestamp(YamlNode node, string path)
    {
        var text = String(node, path);
        if (text is null)
            return null;
        return DateTime.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var value)
            ? DateTime.SpecifyKind(value, DateTimeKind.Utc)
            : Fail<DateTime>(node, $"'{path}' must be a timestamp like 2024-01-31 or 2024-01-31T06:00:00Z, not '{text}'");
    }

    public T? Choice<T>(YamlNode node, string path, IReadOnlyDictionary<string, T> choices) where T : struct
    {
        var text = String(node, path);
        if (text is null)
            return null;
        return choices.TryGetValue(text, out var value)
            ? value
            : Fail<T>(node, $"'{path}' must be one of {string.Join(", ", choices.Keys)}, not '{text}'");
    }

    public SqlIdentifier? Identifier(YamlNode node, string path)
    {
        var text = String(node, path);
        if (text is null)
            return null;
        if (SqlIdentifier.TryParse(text, out var identifier, out var error))
            return identifier;
        Error(node, $"'{path}': invalid SQL identifier '{text}': {error}");
        return null;
    }

    public string? Column(YamlNode node, string path)
    {
        var text = String(node, path);
        if (text is null)
            return null;
        if (SqlIdentifier.IsValidPart(text))
            return text;
        Error(node, $"'{path}': invalid column name '{text}': it must start with a letter or underscore and contain only letters, digits and underscores (at most 63)");
        return null;
    }

    /// <summary>A list of column names, as a sequence (<c>[a, b]</c> or dash lines) or a single name.</summary>
    public IReadOnlyList<string>? Columns(YamlNode node, string path)
    {
        if (node is YamlScalarNode)
            return Column(node, path) is { } single ? [single] : null;
        if (node is not YamlSequenceNode sequence)
        {
            Error(node, $"'{path}' must be a list of column names, not {Describe(node)}");
            return null;
        }
        var columns = new List<string>();
        var valid = true;
        foreach (var item in sequence.Children)
        {
            if (Column(item, path) is { } column)
            {
                if (columns.Contains(column))
                {
                    Error(item, $"'{path}': column '{column}' is listed twice");
                    valid = false;
                }
                columns.Add(column);
            }
            else
            {
                valid = false;
            }
        }
        return valid ? columns : null;
    }

    private string? Plain(YamlNode node, string path, string expected)
    {
        if (node is YamlScalarNode scalar)
            return scalar.Value;
        Error(node, $"'{path}' must be {expected}, not {Describe(node)}");
        return null;
    }

    private T? Fail<T>(YamlNode node, string message) where T : struct
    {
        Error(node, message);
        return null;
    }

    private static string WildcardPath(string path) => path[..path.LastIndexOf('.')] + "." + JobFileKeys.AnyName;

    private static string Describe(YamlNode node) => node switch
    {
        YamlMappingNode => "a mapping",
        YamlSequenceNode => "a list",
        YamlScalarNode scalar => $"'{scalar.Value}'",
        _ => "an alias",
    };
}

/// <summary>The known keys of one mapping, for required and optional reads.</summary>
internal sealed class YamlSection(YamlNodeReader reader, string path, YamlMappingNode mapping, IReadOnlyDictionary<string, YamlNode> values)
{
    public YamlMappingNode Node => mapping;

    public string PathOf(string key) => path.Length == 0 ? key : $"{path}.{key}";

    public bool Has(string key) => values.ContainsKey(key);

    public YamlNode? Optional(string key) => values.GetValueOrDefault(key);

    /// <summary>The key's value node; a missing key is an error reported at the start of the mapping.</summary>
    public YamlNode? Required(string key)
    {
        if (values.TryGetValue(key, out var node))
            return node;
        reader.Error(mapping, path.Length == 0 ? $"missing required key '{key}'" : $"missing required key '{key}' in '{path}'");
        return null;
    }

    /// <summary>Reads an optional key with <paramref name="read"/>, or gives <paramref name="fallback"/> when it is absent or invalid.</summary>
    public T Read<T>(string key, Func<YamlNode, string, T?> read, T fallback) where T : struct
        => values.TryGetValue(key, out var node) ? read(node, PathOf(key)) ?? fallback : fallback;

    public T? ReadObject<T>(string key, Func<YamlNode, string, T?> read) where T : class
        => values.TryGetValue(key, out var node) ? read(node, PathOf(key)) : null;
}
