using System.Net;
using System.Text;
using System.Text.Json;
using BatchScoring.Core.Errors;
using BatchScoring.Worker.Observability.Health;
using BatchScoring.Worker.Observability.Metrics;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace BatchScoring.Worker.Observability;

/// <summary>
/// Serves <c>/metrics</c> (Prometheus text), <c>/health/live</c> (200 while the process answers) and <c>/health/ready</c>
/// (alias <c>/health</c>; JSON, 200 healthy, 503 not), to GET and HEAD, on <c>Observability:MetricsAddress</c> while the
/// host runs, i.e. in the <c>worker</c> verb.
/// </summary>
internal sealed class ObservabilityEndpoint(
    MetricsCollector collector,
    HealthReporter health,
    IOptions<ObservabilityOptions> options,
    ILogger<ObservabilityEndpoint> logger) : BackgroundService
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DictionaryKeyPolicy = null,
        WriteIndented = true,
        // Plain JSON for probes and people, never embedded in HTML.
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    private HttpListener? _listener;

    public override Task StartAsync(CancellationToken cancellationToken)
    {
        var address = options.Value.MetricsAddress;
        if (string.IsNullOrWhiteSpace(address))
        {
            logger.LogInformation("Observability:MetricsAddress is empty: /metrics and /health are not served");
            return Task.CompletedTask;
        }
        var listener = new HttpListener();
        listener.Prefixes.Add(address.EndsWith('/') ? address : address + "/");
        try
        {
            listener.Start();
        }
        catch (HttpListenerException e)
        {
            listener.Close();
            throw new BatchScoringException(
                $"Cannot serve /metrics and /health on Observability:MetricsAddress={address}: {e.Message} (another process may be serving there: give this one another address, or an empty one to turn the endpoint off)", e);
        }
        _listener = listener;
        logger.LogInformation("Serving /metrics and /health on {MetricsAddress}", address);
        return base.StartAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var listener = _listener!;
        await using var stop = stoppingToken.Register(listener.Stop);
        while (!stoppingToken.IsCancellationRequested)
        {
            HttpListenerContext context;
            try
            {
                context = await listener.GetContextAsync();
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException && stoppingToken.IsCancellationRequested)
            {
                break;
            }
            _ = Task.Run(() => AnswerAsync(context, stoppingToken), stoppingToken);
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        _listener?.Close();
    }

    private async Task AnswerAsync(HttpListenerContext context, CancellationToken cancellationToken)
    {
        var response = context.Response;
        try
        {
            var path = context.Request.Url?.AbsolutePath.TrimEnd('/') ?? "";
            var method = context.Request.HttpMethod;
            var head = method == "HEAD";
            if (method != "GET" && !head)
                await WriteAsync(response, 405, "text/plain; charset=utf-8", "GET or HEAD only\n", head, cancellationToken);
            else if (path == "/metrics")
                await WriteAsync(response, 200, PrometheusTextWriter.ContentType, PrometheusTextWriter.Write(collector.Snapshot()), head, cancellationToken);
            else if (path == "/health/live")
                await WriteAsync(response, 200, "application/json; charset=utf-8", "{\"status\":\"alive\"}", head, cancellationToken);
            else if (path is "/health" or "/health/ready")
            {
                var report = await health.CheckAsync(cancellationToken);
                await WriteAsync(response, report.IsHealthy ? 200 : 503, "application/json; charset=utf-8",
                    JsonSerializer.Serialize(report, Json), head, cancellationToken);
            }
            else
                await WriteAsync(response, 404, "text/plain; charset=utf-8", "Not found: try /metrics, /health/live or /health/ready\n", head, cancellationToken);
        }
        catch (Exception e) when (e is HttpListenerException or IOException or ObjectDisposedException or OperationCanceledException)
        {
            logger.LogDebug(e, "A /metrics or /health client went away");
        }
        finally
        {
            response.Close();
        }
    }

    private static async Task WriteAsync(HttpListenerResponse response, int status, string contentType, string body, bool headOnly,
        CancellationToken cancellationToken)
    {
        var bytes = Encoding.UTF8.GetBytes(body);
        response.StatusCode = status;
        response.ContentType = contentType;
        response.ContentLength64 = bytes.Length;
        if (!headOnly)
            await response.OutputStream.WriteAsync(bytes, cancellationToken);
    }
}
