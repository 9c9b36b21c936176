using System.ComponentModel.DataAnnotations;
using System.Net;

namespace BatchScoring.Worker.WebConsole;

/// <summary>Who may read the console: anyone who reaches it, a bearer token, or a header a trusted reverse proxy sets.</summary>
internal enum ConsoleAuth
{
    None,
    Bearer,
    ProxyHeader,
}

/// <summary>The read-only web console (section <c>Console</c>).</summary>
internal sealed class ConsoleOptions : IValidatableObject
{
    public const string Section = "Console";

    /// <summary>Where <c>batchscoring console</c> listens when <see cref="Address"/> is empty.</summary>
    public const string StandaloneAddress = "http://127.0.0.1:9465";

    /// <summary>False: <c>worker</c> serves no console.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>
    /// (An empty value in appsettings.json binds as null, which means the same.)
    /// Empty: the console is served with <c>/metrics</c> and <c>/health</c> on <c>Observability:MetricsAddress</c>
    /// (loopback by default). Else <c>http://host:port</c> of a Kestrel listener of its own.
    /// </summary>
    public string Address { get; set => field = value ?? ""; } = "";

    public ConsoleAuth Auth { get; set; } = ConsoleAuth.None;

    /// <summary>With <see cref="ConsoleAuth.Bearer"/>: the token every request must send as <c>Authorization: Bearer …</c>.</summary>
    public string Token { get; set => field = value ?? ""; } = "";

    /// <summary>With <see cref="ConsoleAuth.ProxyHeader"/>: the header the proxy sets on requests it authenticated (requests without it get 401).</summary>
    public string ProxyHeader { get; set; } = "X-Forwarded-User";

    /// <summary>Whether a Kestrel address listens on the loopback interface only (<c>+</c>, <c>*</c> and <c>0.0.0.0</c> are every interface).</summary>
    public static bool IsLoopback(string address)
        => Uri.TryCreate(address, UriKind.Absolute, out var uri) && (uri.IsLoopback || (IPAddress.TryParse(uri.Host, out var ip) && IPAddress.IsLoopback(ip)));

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (Auth == ConsoleAuth.Bearer && Token.Length < 16)
            yield return new ValidationResult("Console:Auth=Bearer needs Console:Token of at least 16 characters (e.g. Console__Token from a secret).", [nameof(Token)]);
        if (Auth == ConsoleAuth.ProxyHeader && string.IsNullOrWhiteSpace(ProxyHeader))
            yield return new ValidationResult("Console:Auth=ProxyHeader needs Console:ProxyHeader, the header the proxy sets.", [nameof(ProxyHeader)]);
        if (Address.Length > 0 && !Uri.TryCreate(Address.Replace("+", "0.0.0.0", StringComparison.Ordinal).Replace("*", "0.0.0.0", StringComparison.Ordinal), UriKind.Absolute, out _))
            yield return new ValidationResult($"Console:Address '{Address}' is not http://host:port (or empty to serve the console on Observability:MetricsAddress).", [nameof(Address)]);
    }
}
