using BatchScoring.Core.Errors;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Logging;

namespace BatchScoring.Worker.WebConsole;

/// <summary>The console on a Kestrel listener of its own (<c>Console:Address</c>, or the <c>console</c> verb).</summary>
internal static class ConsoleServer
{
    public static async Task<WebApplication> StartAsync(ConsoleRoutes routes, string address, CancellationToken cancellationToken)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls(address);
        var app = builder.Build();
        routes.Map(app);
        try
        {
            await app.StartAsync(cancellationToken);
            return app;
        }
        catch (IOException e)
        {
            await app.DisposeAsync();
            throw new BatchScoringException(
                $"Cannot serve the console on {address}: {e.Message} (another process may be serving there: set Console:Address to another address)", e);
        }
    }
}
