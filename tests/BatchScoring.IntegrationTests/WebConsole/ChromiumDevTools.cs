using System.Diagnostics;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json.Nodes;

namespace BatchScoring.IntegrationTests.WebConsole;

/// <summary>
/// Evaluates a JavaScript expression in a page loaded by Debian's headless Chromium, over its DevTools protocol: what
/// <c>--dump-dom</c> cannot tell, such as the laid-out width. The viewport is emulated, as headless windows are at
/// least 500 px wide; DevTools evaluation is not bound by the page's CSP.
/// </summary>
internal static class ChromiumDevTools
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    /// <returns>The expression's value once the page has loaded, as JSON.</returns>
    public static async Task<JsonNode?> EvaluateAsync(string url, int width, int height, string expression)
    {
        var profile = Directory.CreateTempSubdirectory("chromium-devtools-");
        var start = new ProcessStartInfo("/usr/bin/chromium") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in new[]
                 {
                     "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-dev-shm-usage", "--hide-scrollbars",
                     "--force-device-scale-factor=1", "--remote-debugging-port=0", $"--user-data-dir={profile.FullName}", "about:blank",
                 })
            start.ArgumentList.Add(argument);
        using var process = Process.Start(start)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        using var cancel = new CancellationTokenSource(Timeout);
        try
        {
            using var socket = new ClientWebSocket();
            await socket.ConnectAsync(await PageSocketAsync(profile.FullName, cancel.Token), cancel.Token);
            var id = 0;
            await CallAsync(socket, ++id, "Emulation.setDeviceMetricsOverride",
                new JsonObject { ["width"] = width, ["height"] = height, ["deviceScaleFactor"] = 1, ["mobile"] = false }, cancel.Token);
            await CallAsync(socket, ++id, "Page.navigate", new JsonObject { ["url"] = url }, cancel.Token);
            while (await EvaluateAsync(socket, ++id, "location.href + ' ' + document.readyState", cancel.Token) is var state && state?.GetValue<string>() != url + " complete")
                await Task.Delay(100, cancel.Token);
            return await EvaluateAsync(socket, ++id, expression, cancel.Token);
        }
        finally
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync(CancellationToken.None);
            profile.Delete(recursive: true);
        }
    }

    /// <summary>The page target's WebSocket, from the port Chromium writes to <c>DevToolsActivePort</c> in its profile.</summary>
    private static async Task<Uri> PageSocketAsync(string profile, CancellationToken cancellationToken)
    {
        var portFile = Path.Combine(profile, "DevToolsActivePort");
        using var http = new HttpClient();
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (File.Exists(portFile) && File.ReadAllLines(portFile) is [var port, ..] && port.Length > 0)
            {
                var targets = JsonNode.Parse(await http.GetStringAsync($"http://127.0.0.1:{port}/json/list", cancellationToken))!.AsArray();
                if (targets.FirstOrDefault(t => t!["type"]!.GetValue<string>() == "page") is { } page)
                    return new Uri(page["webSocketDebuggerUrl"]!.GetValue<string>());
            }
            await Task.Delay(100, cancellationToken);
        }
    }

    private static async Task<JsonNode?> EvaluateAsync(ClientWebSocket socket, int id, string expression, CancellationToken cancellationToken) =>
        (await CallAsync(socket, id, "Runtime.evaluate", new JsonObject { ["expression"] = expression, ["returnByValue"] = true }, cancellationToken))["result"]?["value"]?.DeepClone();

    private static async Task<JsonNode> CallAsync(ClientWebSocket socket, int id, string method, JsonObject parameters, CancellationToken cancellationToken)
    {
        var request = new JsonObject { ["id"] = id, ["method"] = method, ["params"] = parameters };
        await socket.SendAsync(Encoding.UTF8.GetBytes(request.ToJsonString()), WebSocketMessageType.Text, true, cancellationToken);
        while (true)
        {
            var message = JsonNode.Parse(await ReceiveAsync(socket, cancellationToken))!;
            if (message["id"]?.GetValue<int>() != id)
                continue;
            return message["result"] ?? throw new InvalidOperationException($"DevTools refused {method}: {message.ToJsonString()}");
        }
    }

    private static async Task<string> ReceiveAsync(ClientWebSocket socket, CancellationToken cancellationToken)
    {
        var buffer = new byte[64 * 1024];
        using var text = new MemoryStream();
        WebSocketReceiveResult received;
        do
        {
            received = await socket.ReceiveAsync(buffer, cancellationToken);
            text.Write(buffer, 0, received.Count);
        }
        while (!received.EndOfMessage);
        return Encoding.UTF8.GetString(text.ToArray());
    }
}
