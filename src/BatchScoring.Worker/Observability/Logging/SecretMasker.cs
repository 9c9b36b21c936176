using System.Text.RegularExpressions;
using Microsoft.Extensions.Configuration;
using Npgsql;

namespace BatchScoring.Worker.Observability.Logging;

/// <summary>
/// Replaces secrets in text with <c>***</c>: the passwords of the configured connection strings,
/// webhook secrets, and any <c>Password=…</c> or <c>Pwd=…</c> pair, whatever connection string it came from.
/// </summary>
internal sealed partial class SecretMasker
{
    public const string Mask = "***";
    // Shorter values would mask ordinary words all over the log; such passwords are not secrets anyway.
    private const int ShortestMaskedSecret = 3;

    private readonly string[] _secrets;

    public SecretMasker(IEnumerable<string?> secrets)
        => _secrets = secrets.OfType<string>().Where(s => s.Length >= ShortestMaskedSecret).Distinct().OrderByDescending(s => s.Length).ToArray();

    public static SecretMasker FromConfiguration(IConfiguration configuration)
    {
        var passwords = configuration.GetSection("ConnectionStrings").GetChildren().Select(c => PasswordOf(c.Value));
        var webhookSecrets = configuration.GetSection("Notifications:Webhooks").GetChildren().Select(w => w["Secret"]);
        return new SecretMasker(passwords.Concat(webhookSecrets));
    }

    public string Apply(string text)
    {
        if (text.Length == 0)
            return text;
        var masked = PasswordPair().Replace(text, m => m.Groups["key"].Value + Mask);
        foreach (var secret in _secrets)
            masked = masked.Replace(secret, Mask, StringComparison.Ordinal);
        return masked;
    }

    private static string? PasswordOf(string? connectionString)
    {
        if (string.IsNullOrEmpty(connectionString))
            return null;
        try
        {
            return new NpgsqlConnectionStringBuilder(connectionString).Password;
        }
        catch (ArgumentException)
        {
            return null;
        }
    }

    [GeneratedRegex("""(?<key>\b(?:password|pwd)\s*=\s*)(?:"[^"]*"|'[^']*'|[^;\s"']*)""", RegexOptions.IgnoreCase)]
    private static partial Regex PasswordPair();
}
