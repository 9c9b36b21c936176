using System.Collections;
using System.ComponentModel;
using System.Globalization;
using System.Reflection;
using BatchScoring.Testing;
using BatchScoring.Worker.Hosting;
using Microsoft.Extensions.Configuration;

namespace BatchScoring.Worker.Tests.Operations;

/// <summary>
/// docs/configuration.md against the code: every property of every options class (a class of the
/// worker with a <c>Section</c> constant) has a row with its environment variable and its default,
/// and every row is a real setting.
/// </summary>
public class ConfigurationReferenceTests
{
    private const string Empty = "(empty)";

    /// <summary>Settings read without an options class.</summary>
    private static readonly string[] NotOptions = ["ConnectionStrings:BatchScoring", "ConnectionStrings:Source", "Serilog:MinimumLevel:Default", "Serilog:WriteTo:N:Name"];

    private static readonly Dictionary<string, (string Variable, string Default)> Documented = ReadReference();

    [Fact]
    public void Every_setting_of_the_options_classes_is_documented_with_its_environment_variable_and_default()
    {
        var settings = Settings().ToArray();
        Assert.Contains(settings, s => s.Key == "Worker:BatchSize");
        Assert.Contains(settings, s => s.Key == "Notifications:Webhooks:N:Url");
        foreach (var (key, defaultValue) in settings)
        {
            Assert.True(Documented.TryGetValue(key, out var row), $"docs/configuration.md has no row for {key}");
            Assert.Equal(key.Replace(":", "__", StringComparison.Ordinal), row.Variable);
            Assert.True(defaultValue == row.Default, $"{key}: the code's default is {defaultValue}, docs/configuration.md says {row.Default}");
        }
    }

    [Fact]
    public void Every_documented_setting_exists_and_appsettings_json_agrees_with_the_documented_defaults()
    {
        var keys = Settings().Select(s => s.Key).Concat(NotOptions).ToHashSet();
        foreach (var (key, row) in Documented)
        {
            Assert.True(keys.Contains(key), $"docs/configuration.md documents {key}, which no options class has");
            Assert.Equal(key.Replace(":", "__", StringComparison.Ordinal), row.Variable);
        }

        var appsettings = new ConfigurationBuilder().AddJsonFile(Path.Combine(RepositoryRoot.Path, "appsettings.json")).Build();
        foreach (var (key, value) in appsettings.AsEnumerable().Where(p => p.Value is not null))
        {
            if (Documented.TryGetValue(key, out var row))
                Assert.True(Format(Typed(value!)) == row.Default, $"appsettings.json sets {key} to {value}, the documented default is {row.Default}");
        }
    }

    private static IEnumerable<(string Key, string Default)> Settings()
    {
        var optionsTypes = typeof(WorkerOptions).Assembly.GetTypes()
            .Where(t => t.GetField("Section", BindingFlags.Public | BindingFlags.Static) is { IsLiteral: true } && t.GetConstructor(Type.EmptyTypes) is not null);
        return optionsTypes.SelectMany(t => Properties(t, (string)t.GetField("Section")!.GetRawConstantValue()!));
    }

    private static IEnumerable<(string Key, string Default)> Properties(Type type, string prefix)
    {
        var instance = Activator.CreateInstance(type)!;
        foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.SetMethod is { IsPublic: true }))
        {
            var key = $"{prefix}:{property.Name}";
            if (ElementType(property.PropertyType) is { } element && element.Assembly == type.Assembly)
            {
                foreach (var nested in Properties(element, key + ":N"))
                    yield return nested;
                continue;
            }
            var documentedDefault = property.GetCustomAttribute<DefaultValueAttribute>()?.Value;
            yield return (key, Format(documentedDefault ?? property.GetValue(instance)));
        }
    }

    private static Type? ElementType(Type type)
        => type != typeof(string) && type.IsGenericType && typeof(IEnumerable).IsAssignableFrom(type) ? type.GetGenericArguments()[0] : null;

    /// <summary>A JSON value as the options binder reads it, so that <c>false</c> and <c>00:00:07.500</c> compare by value.</summary>
    private static object Typed(string value)
        => bool.TryParse(value, out var flag) ? flag
            : value.Contains(':', StringComparison.Ordinal) && TimeSpan.TryParse(value, CultureInfo.InvariantCulture, out var span) ? span
            : value;

    private static string Format(object? value) => value switch
    {
        null or "" => Empty,
        TimeSpan span => $"`{span.ToString("c", CultureInfo.InvariantCulture)}`",
        bool flag => flag ? "`true`" : "`false`",
        string text => $"`{text}`",
        IEnumerable items => items.Cast<object>().Any() ? $"`{string.Join(", ", items.Cast<object>())}`" : Empty,
        IFormattable formattable => $"`{formattable.ToString(null, CultureInfo.InvariantCulture)}`",
        _ => $"`{value}`",
    };

    private static Dictionary<string, (string, string)> ReadReference()
    {
        var rows = new Dictionary<string, (string, string)>();
        foreach (var line in File.ReadLines(Path.Combine(RepositoryRoot.Path, "docs", "configuration.md")))
        {
            var cells = line.Split('|', StringSplitOptions.TrimEntries);
            // | `Key` | `Variable` | default | meaning |
            if (cells.Length < 6 || !cells[1].StartsWith('`') || !cells[2].StartsWith('`') || !cells[2].Contains("__", StringComparison.Ordinal))
                continue;
            rows.Add(cells[1].Trim('`'), (cells[2].Trim('`'), cells[3]));
        }
        return rows;
    }
}
