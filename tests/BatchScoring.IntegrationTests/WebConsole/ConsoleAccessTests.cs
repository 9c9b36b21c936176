using System.Net;
using System.Net.Http.Headers;
using BatchScoring.IntegrationTests.Operations;
using BatchScoring.Testing;
using BatchScoring.Worker.Observability;
using BatchScoring.Worker.WebConsole;
using Dapper;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;
using Npgsql;

namespace BatchScoring.IntegrationTests.WebConsole;

/// <summary>
/// Who reaches the console: loopback by default, a bearer token or a trusted proxy's header when configured (401
/// otherwise, /health and /metrics stay open), its own listener with <c>Console:Address</c>, and reads that need nothing
/// beyond the SELECT-only <c>batchscoring_analyst</c>.
/// </summary>
public class ConsoleAccessTests(ConsoleEnvironment env) : IClassFixture<ConsoleEnvironment>
{
    private const string Token = "console-token-0123456789";

    [Fact]
    public void By_default_the_console_is_served_on_the_loopback_interface_only()
    {
        var configuration = new ConfigurationBuilder().AddJsonFile(Path.Combine(RepositoryRoot.Path, "appsettings.json")).Build();
        var console = configuration.GetSection(ConsoleOptions.Section).Get<ConsoleOptions>()!;
        Assert.Equal("", console.Address);
        Assert.Equal(ConsoleAuth.None, console.Auth);
        Assert.Equal("127.0.0.1", new Uri(configuration[$"{ObservabilityOptions.Section}:MetricsAddress"]!).Host);
        Assert.Equal("127.0.0.1", new Uri(new ObservabilityOptions().MetricsAddress).Host);
        Assert.Equal("127.0.0.1", new Uri(ConsoleOptions.StandaloneAddress).Host);
        Assert.Equal("", new ConsoleOptions().Address);
    }

    [Fact]
    public async Task With_a_bearer_token_requests_without_it_get_401_and_health_and_metrics_stay_open()
    {
        await using var console = await RunningConsole.StartAsync(env, ("Console:Auth", "Bearer"), ("Console:Token", Token));
        foreach (var path in new[] { "/", "/api/runs", $"/runs/{env.FinishedRun}", "/jobs", "/models", "/assets/console.css" })
        {
            Assert.Equal(HttpStatusCode.Unauthorized, (await console.GetAsync(path)).Status);
            Assert.Equal(HttpStatusCode.Unauthorized, (await console.GetAsync(path, r => r.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "wrong-token-0123456789"))).Status);
            Assert.Equal(HttpStatusCode.OK, (await console.GetAsync(path, r => r.Headers.Authorization = new AuthenticationHeaderValue("Bearer", Token))).Status);
        }
        Assert.Equal(HttpStatusCode.OK, (await console.GetAsync("/health/live")).Status);
        Assert.Equal(HttpStatusCode.OK, (await console.GetAsync("/metrics")).Status);
    }

    [Fact]
    public async Task No_page_shows_the_connection_string_password_or_what_a_job_file_holds_beyond_its_fields()
    {
        await using var console = await RunningConsole.StartAsync(env);
        foreach (var path in new[] { "/", "/api/runs", $"/runs/{env.FailedRun}", $"/api/runs/{env.FailedRun}", "/jobs", "/api/jobs",
                     $"/jobs/{ConsoleEnvironment.QueryJob}", $"/api/jobs/{ConsoleEnvironment.QueryJob}", "/models", "/api/models" })
        {
            var body = await console.OkAsync(path);
            Assert.DoesNotContain(ConsoleEnvironment.Password, body, StringComparison.Ordinal);
            Assert.DoesNotContain(ConsoleEnvironment.QuerySecret, body, StringComparison.Ordinal);
            Assert.DoesNotContain("Host=", body, StringComparison.OrdinalIgnoreCase);
        }
        Assert.Contains(">query<", await console.OkAsync($"/jobs/{ConsoleEnvironment.QueryJob}"));
    }

    [Fact]
    public async Task On_an_observability_listener_of_every_interface_the_console_is_served_only_with_auth()
    {
        var port = new Uri(OperationsHelpers.FreeLoopbackAddress()).Port;
        await using (var open = await RunningConsole.StartAsync(env, ("Observability:MetricsAddress", $"http://0.0.0.0:{port}")))
        {
            var (status, _) = await OperationsHelpers.GetAsync($"http://127.0.0.1:{port}/jobs");
            Assert.Equal(HttpStatusCode.NotFound, status);
            Assert.Equal(HttpStatusCode.OK, (await OperationsHelpers.GetAsync($"http://127.0.0.1:{port}/health/live")).Status);
        }
        await using var guarded = await RunningConsole.StartAsync(env, ("Observability:MetricsAddress", $"http://0.0.0.0:{port}"), ("Console:Auth", "Bearer"), ("Console:Token", Token));
        Assert.Equal(HttpStatusCode.Unauthorized, (await OperationsHelpers.GetAsync($"http://127.0.0.1:{port}/jobs")).Status);
        Assert.True(ConsoleOptions.IsLoopback("http://localhost:9464") && ConsoleOptions.IsLoopback("http://[::1]:9464") && !ConsoleOptions.IsLoopback("http://+:9464"));
    }

    [Fact]
    public async Task Behind_a_trusted_proxy_requests_without_its_header_get_401()
    {
        await using var console = await RunningConsole.StartAsync(env, ("Console:Auth", "ProxyHeader"));
        Assert.Equal(HttpStatusCode.Unauthorized, (await console.GetAsync("/jobs")).Status);
        Assert.Equal(HttpStatusCode.OK, (await console.GetAsync("/jobs", r => r.Headers.Add("X-Forwarded-User", "ops@example.com"))).Status);
    }

    [Fact]
    public async Task A_bearer_setting_without_a_token_stops_the_host_at_start_naming_the_setting()
    {
        using var host = await env.HostAsync(("Console:Auth", "Bearer"));
        var e = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());
        Assert.Contains("Console:Token", e.Message);
    }

    [Fact]
    public async Task With_an_address_of_its_own_the_console_leaves_the_observability_listener()
    {
        var own = OperationsHelpers.FreeLoopbackAddress();
        await using var console = await RunningConsole.StartAsync(env, ("Console:Address", own));
        Assert.Equal(HttpStatusCode.NotFound, (await console.GetAsync("/jobs")).Status);
        Assert.Equal(HttpStatusCode.OK, (await console.GetAsync("/health/live")).Status);
        var (status, body) = await OperationsHelpers.GetAsync(own + "/jobs");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Contains(ConsoleEnvironment.Job, body);
    }

    [Fact]
    public async Task The_console_verb_serves_every_page_reading_as_the_analyst_role()
    {
        await using (var admin = await env.DataSource.OpenConnectionAsync())
            await admin.ExecuteAsync("ALTER ROLE batchscoring_analyst LOGIN");
        var analyst = new NpgsqlConnectionStringBuilder(env.ConnectionString) { Username = "batchscoring_analyst", Password = null }.ConnectionString;
        var address = OperationsHelpers.FreeLoopbackAddress();
        using var cli = Cli.Start(env.Folder, ["console", "--address", address], new Dictionary<string, string>
        {
            ["ConnectionStrings__BatchScoring"] = analyst,
            ["Jobs__Directory"] = env.Folder,
            ["Models__StoreDirectory"] = Path.Combine(env.Folder, "store"),
            ["Observability__MetricsAddress"] = "",
        });
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (!cli.Output.Contains("Serving the web console on", StringComparison.Ordinal))
        {
            Assert.False(cli.HasExited, cli.Output);
            Assert.True(DateTime.UtcNow < deadline, cli.Output);
            await Task.Delay(100);
        }
        foreach (var path in new[] { "/", "/api/runs", $"/runs/{env.FailedRun}", $"/api/runs/{env.RunningRun}", $"/runs/{env.DriftedRun}/report", "/jobs",
                     $"/jobs/{ConsoleEnvironment.Job}", "/api/jobs", "/models", "/api/models", $"/drift/{ConsoleEnvironment.Job}/age", $"/api/drift/{ConsoleEnvironment.Job}/age" })
        {
            var (status, body) = await OperationsHelpers.GetAsync(address + path);
            Assert.True(status == HttpStatusCode.OK, $"{path} as batchscoring_analyst: {(int)status} {body}\n{cli.Output}");
        }
        Assert.DoesNotContain(analyst, cli.Output, StringComparison.Ordinal);
        cli.Signal("INT");
        Assert.Equal(0, await cli.WaitAsync(TimeSpan.FromSeconds(30)));
    }
}
