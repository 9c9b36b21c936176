using System.Collections.Concurrent;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace BatchScoring.Worker.Notifications;

/// <summary>
/// Delivers messages to the webhooks that subscribed to their event, each on its own background
/// task: retried with exponential backoff on any non-2xx answer or network error, then given up
/// with a warning. Disposing waits up to <c>Notifications:ShutdownGrace</c> for pending deliveries,
/// so a <c>run</c> verb that exits right after its run still delivers.
/// </summary>
internal sealed class WebhookNotifier : IRunNotifier, IDisposable, IAsyncDisposable
{
    private readonly NotificationOptions _options;
    private readonly ILogger<WebhookNotifier> _logger;
    private readonly TimeProvider _time;
    private readonly HttpClient _http;
    private readonly CancellationTokenSource _shutdown = new();
    private readonly ConcurrentDictionary<Task, byte> _pending = new();
    private int _disposed;

    public WebhookNotifier(IOptions<NotificationOptions> options, ILogger<WebhookNotifier> logger, TimeProvider time)
    {
        _options = options.Value;
        _logger = logger;
        _time = time;
        _http = new HttpClient { Timeout = _options.RequestTimeout };
    }

    public Task RunFinishedAsync(RunNotification run, CancellationToken cancellationToken)
    {
        if (WebhookMessage.EventOf(run.Status) is { } eventName)
            Enqueue(eventName, run, run.RunId);
        return Task.CompletedTask;
    }

    public Task DriftFlaggedAsync(DriftNotification drift, CancellationToken cancellationToken)
    {
        Enqueue(NotificationEvents.Drift, drift, drift.RunId);
        return Task.CompletedTask;
    }

    /// <summary>Waits for every delivery queued so far (tests, and the grace period at shutdown).</summary>
    public async Task<bool> WaitForPendingAsync(TimeSpan timeout)
    {
        var all = Task.WhenAll(_pending.Keys);
        return await Task.WhenAny(all, Task.Delay(timeout)) == all;
    }

    private void Enqueue(string eventName, object notification, long runId)
    {
        var targets = _options.Webhooks.Where(w => w.EffectiveEvents.Contains(eventName)).ToArray();
        if (targets.Length == 0)
            return;
        var body = WebhookMessage.Create(eventName, notification, runId, _time.GetUtcNow().UtcDateTime);
        foreach (var target in targets)
        {
            var delivery = Task.Run(() => DeliverAsync(target, eventName, body, Guid.NewGuid().ToString("N"), _shutdown.Token));
            _pending.TryAdd(delivery, 0);
            delivery.ContinueWith(t => _pending.TryRemove(t, out _), TaskScheduler.Default);
        }
    }

    private async Task DeliverAsync(WebhookOptions target, string eventName, byte[] body, string deliveryId, CancellationToken cancellationToken)
    {
        var where = Redacted(target.Url);
        for (var attempt = 1; ; attempt++)
        {
            string failure;
            try
            {
                using var request = Request(target, eventName, body, deliveryId);
                using var response = await _http.SendAsync(request, cancellationToken);
                if (response.IsSuccessStatusCode)
                {
                    _logger.LogInformation("Webhook {Webhook} received the {Event} message (attempt {Attempt})", where, eventName, attempt);
                    return;
                }
                failure = $"HTTP {(int)response.StatusCode}";
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                _logger.LogWarning("Webhook {Webhook}: the {Event} message was dropped at shutdown after {Attempt} attempt(s)", where, eventName, attempt - 1);
                return;
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                failure = e is TaskCanceledException ? $"no answer within {_options.RequestTimeout.TotalSeconds:0.#} s" : e.Message;
            }

            if (attempt >= _options.MaxAttempts)
            {
                _logger.LogWarning("Webhook {Webhook}: gave up on the {Event} message after {Attempts} attempts, last: {Failure}",
                    where, eventName, attempt, failure);
                return;
            }
            var delay = Backoff(attempt);
            _logger.LogInformation("Webhook {Webhook}: attempt {Attempt} of the {Event} message failed ({Failure}); retrying in {Delay}",
                where, attempt, eventName, failure, delay);
            try
            {
                await Task.Delay(delay, _time, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                _logger.LogWarning("Webhook {Webhook}: the {Event} message was dropped at shutdown after {Attempt} attempt(s)", where, eventName, attempt);
                return;
            }
        }
    }

    /// <summary>The wait after failed attempt <paramref name="attempt"/>: FirstRetryDelay × 2^(attempt−1), at most MaxRetryDelay.</summary>
    public TimeSpan Backoff(int attempt)
    {
        var factor = Math.Pow(2, Math.Min(attempt - 1, 30));
        var ticks = Math.Min(_options.FirstRetryDelay.Ticks * factor, _options.MaxRetryDelay.Ticks);
        return TimeSpan.FromTicks((long)ticks);
    }

    private static HttpRequestMessage Request(WebhookOptions target, string eventName, byte[] body, string deliveryId)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, target.Url) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
        request.Headers.Add("X-BatchScoring-Event", eventName);
        // The same id on every attempt, so a receiver that got a message twice (lost answer) can drop the copy.
        request.Headers.Add("X-BatchScoring-Delivery", deliveryId);
        if (!string.IsNullOrEmpty(target.Secret))
            request.Headers.Add("X-BatchScoring-Signature", "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(System.Text.Encoding.UTF8.GetBytes(target.Secret), body)));
        return request;
    }

    /// <summary>Webhook URLs often carry a token in their path or query (Slack, Teams): logs show only scheme, host and port.</summary>
    private static string Redacted(string url)
        => Uri.TryCreate(url, UriKind.Absolute, out var uri) ? $"{uri.Scheme}://{uri.Authority}/…" : "(invalid URL)";

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
            return;
        if (!_pending.IsEmpty && !await WaitForPendingAsync(_options.ShutdownGrace))
            _logger.LogWarning("{Count} webhook deliveries still pending after {Grace}: dropping them", _pending.Count, _options.ShutdownGrace);
        await _shutdown.CancelAsync();
        await Task.WhenAll(_pending.Keys);
        _shutdown.Dispose();
        _http.Dispose();
    }

    // The host's synchronous Dispose (using var host) reaches here at process end: blocking is what keeps the message.
    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();
}
