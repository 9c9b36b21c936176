using System.Collections.Concurrent;
using System.Net;

namespace BatchScoring.IntegrationTests.Operations;

/// <summary>A webhook endpoint on loopback that records every request and answers from a script (then 200).</summary>
internal sealed class WebhookReceiver : IDisposable
{
    private readonly HttpListener _listener = new();
    private readonly Queue<int> _script;
    private readonly Task _loop;

    public WebhookReceiver(string url, params int[] answers)
    {
        Url = url;
        _script = new Queue<int>(answers);
        _listener.Prefixes.Add(url);
        _listener.Start();
        _loop = Task.Run(LoopAsync);
    }

    public string Url { get; }

    public ConcurrentQueue<Received> Requests { get; } = new();

    public sealed record Received(int AnsweredWith, string Body, string? Event, string? DeliveryId, string? Signature);

    private async Task LoopAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException)
            {
                return;
            }
            using var reader = new StreamReader(context.Request.InputStream);
            var body = await reader.ReadToEndAsync();
            int answer;
            lock (_script)
                answer = _script.Count > 0 ? _script.Dequeue() : 200;
            Requests.Enqueue(new Received(answer, body, context.Request.Headers["X-BatchScoring-Event"],
                context.Request.Headers["X-BatchScoring-Delivery"], context.Request.Headers["X-BatchScoring-Signature"]));
            context.Response.StatusCode = answer;
            context.Response.Close();
        }
    }

    public void Dispose()
    {
        _listener.Close();
        _loop.Wait(TimeSpan.FromSeconds(5));
    }
}
