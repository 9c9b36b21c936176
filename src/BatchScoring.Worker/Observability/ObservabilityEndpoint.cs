using BatchScoring.Core.Errors;
using BatchScoring.Worker.Observability.Health;
using BatchScoring.Worker.Observability.Metrics;
using BatchScoring.Worker.WebConsole;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Prometheus;

namespace BatchScoring.Worker.Observability;

/// <summary>
/// Serves, on Kestrel at <c>Observability:MetricsAddress</c> while the host runs (the <c>worker</c> verb), to GET and
/// HEAD: <c>/metrics</c> (prometheus-net: this host's registry, runtime and process metrics included),
/// <c>/health/live</c> (200 while the process answers) and <c>/health/ready</c> (alias <c>/health</c>: the checks
/// tagged <see cref="ReadyTag"/>, 200 healthy, 503 not, as <see cref="HealthJson"/>).
/// </summary>
internal sealed class ObservabilityEndpoint(
    ScoringMetrics metrics,
    LedgerGauges gauges,
    HealthCheckService health,
    ConsoleRoutes console,
    IOptions<ObservabilityOptions> options,
    ILogger<ObservabilityEndpoint> logger) : IHostedService, IAsyncDisposable
{
    public const string ReadyTag = "ready";

    private static readonly string[] GetAndHead = [HttpMethods.Get, HttpMethods.Head];

    private WebApplication? _app;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var address = options.Value.MetricsAddress;
        if (string.IsNullOrWhiteSpace(address))
        {
            logger.LogInformation("Observability:MetricsAddress is empty: /metrics and /health are not served");
            return;
        }
        GC.KeepAlive(gauges);
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls(address);
        builder.Services.AddSingleton(health);
        var app = builder.Build();
        Map(app);
        try
        {
            await app.StartAsync(cancellationToken);
        }
        catch (IOException e)
        {
            await app.DisposeAsync();
            throw new BatchScoringException(
                $"Cannot serve /metrics and /health on Observability:MetricsAddress={address}: {e.Message} (another process may be serving there: give this one another address, or an empty one to turn the endpoint off)", e);
        }
        _app = app;
        logger.LogInformation("Serving /metrics and /health on {MetricsAddress}", address);
    }

    private void Map(IEndpointRouteBuilder app)
    {
        app.MapMetrics("/metrics", metrics.Registry).WithMetadata(new HttpMethodMetadata(GetAndHead));
        app.MapHealthChecks("/health/live", new HealthCheckOptions
        {
            Predicate = _ => false,
            ResponseWriter = (context, _) =>
            {
                context.Response.ContentType = "application/json; charset=utf-8";
                return context.Response.WriteAsync("{\"status\":\"alive\"}");
            },
        }).WithMetadata(new HttpMethodMetadata(GetAndHead));
        var ready = new HealthCheckOptions { Predicate = check => check.Tags.Contains(ReadyTag), ResponseWriter = HealthJson.WriteAsync };
        app.MapHealthChecks("/health/ready", ready).WithMetadata(new HttpMethodMetadata(GetAndHead));
        app.MapHealthChecks("/health", ready).WithMetadata(new HttpMethodMetadata(GetAndHead));
        console.MapOnObservabilityHost(app);
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
