using System.Net;
using BatchScoring.IntegrationTests.Operations;
using Microsoft.Extensions.Hosting;

namespace BatchScoring.IntegrationTests.WebConsole;

/// <summary>The environment's service host started as <c>worker</c> starts it, so the console answers on the observability listener.</summary>
internal sealed class RunningConsole : IAsyncDisposable
{
    private readonly IHost _host;
    private readonly HttpClient _http = new();

    private RunningConsole(IHost host, string address)
    {
        _host = host;
        Address = address;
    }

    public string Address { get; }

    public static async Task<RunningConsole> StartAsync(ConsoleEnvironment env, params (string Key, string Value)[] overrides)
    {
        var address = OperationsHelpers.FreeLoopbackAddress();
        var host = await env.HostAsync([("Observability:MetricsAddress", address), .. overrides]);
        await host.StartAsync();
        return new RunningConsole(host, address);
    }

    public async Task<(HttpStatusCode Status, string Body, string? Type)> GetAsync(string path, Action<HttpRequestMessage>? configure = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, Address + path);
        configure?.Invoke(request);
        using var response = await _http.SendAsync(request);
        return (response.StatusCode, await response.Content.ReadAsStringAsync(), response.Content.Headers.ContentType?.MediaType);
    }

    /// <summary>The body of a page or API route that must answer 200.</summary>
    public async Task<string> OkAsync(string path)
    {
        var (status, body, _) = await GetAsync(path);
        Assert.True(status == HttpStatusCode.OK, $"GET {path}: {(int)status} {body}");
        return body;
    }

    public async ValueTask DisposeAsync()
    {
        _http.Dispose();
        await _host.StopAsync();
        _host.Dispose();
    }
}
