using System.Reflection;
using System.Security.Cryptography;
using System.Text;

namespace BatchScoring.Postgres.Migrations;

/// <summary>One numbered script of <c>sql/</c>, embedded in this assembly.</summary>
public sealed record MigrationScript(string Version, string Sql)
{
    public string Checksum { get; } = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(Sql.ReplaceLineEndings("\n"))));

    /// <summary>Every embedded script, ordered by its number.</summary>
    public static IReadOnlyList<MigrationScript> All { get; } = LoadEmbedded();

    private static MigrationScript[] LoadEmbedded()
    {
        var assembly = typeof(MigrationScript).Assembly;
        return assembly.GetManifestResourceNames()
            .Where(n => n.StartsWith("sql/", StringComparison.Ordinal) && n.EndsWith(".sql", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)
            .Select(n => new MigrationScript(Path.GetFileNameWithoutExtension(n), Read(assembly, n)))
            .ToArray();
    }

    private static string Read(Assembly assembly, string name)
    {
        using var stream = assembly.GetManifestResourceStream(name)!;
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
