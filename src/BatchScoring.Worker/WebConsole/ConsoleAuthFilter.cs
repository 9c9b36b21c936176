using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;

namespace BatchScoring.Worker.WebConsole;

/// <summary>Answers 401 to a console request without the configured bearer token or proxy header (<see cref="ConsoleOptions.Auth"/>).</summary>
internal sealed class ConsoleAuthFilter(IOptions<ConsoleOptions> options) : IEndpointFilter
{
    public ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var settings = options.Value;
        var request = context.HttpContext.Request;
        var allowed = settings.Auth switch
        {
            ConsoleAuth.Bearer => HasToken(request.Headers.Authorization.ToString(), settings.Token),
            ConsoleAuth.ProxyHeader => !string.IsNullOrWhiteSpace(request.Headers[settings.ProxyHeader].ToString()),
            _ => true,
        };
        if (allowed)
            return next(context);
        if (settings.Auth == ConsoleAuth.Bearer)
            context.HttpContext.Response.Headers.WWWAuthenticate = "Bearer realm=\"batchscoring console\"";
        return ValueTask.FromResult<object?>(Results.Text("401: this console needs authentication (see Console:Auth in the README).\n", "text/plain", statusCode: StatusCodes.Status401Unauthorized));
    }

    private static bool HasToken(string header, string token)
    {
        const string scheme = "Bearer ";
        if (!header.StartsWith(scheme, StringComparison.OrdinalIgnoreCase))
            return false;
        return CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(header[scheme.Length..].Trim()), Encoding.UTF8.GetBytes(token));
    }
}
