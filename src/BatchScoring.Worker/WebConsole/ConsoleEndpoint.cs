using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace BatchScoring.Worker.WebConsole;

/// <summary>While the host runs (the <c>worker</c> verb), serves the console on <c>Console:Address</c> when that is set.</summary>
internal sealed class ConsoleEndpoint(ConsoleRoutes routes, IOptions<ConsoleOptions> options, ILogger<ConsoleEndpoint> logger) : IHostedService, IAsyncDisposable
{
    private WebApplication? _app;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var settings = options.Value;
        if (!settings.Enabled || settings.Address.Length == 0)
            return;
        _app = await ConsoleServer.StartAsync(routes, settings.Address, cancellationToken);
        logger.LogInformation("Serving the web console on {ConsoleAddress} (auth {ConsoleAuth})", settings.Address, settings.Auth);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_app is not null)
            await _app.StopAsync(cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
            await _app.DisposeAsync();
    }
}
