using System.Text.Json;

namespace BatchScoring.IntegrationTests.Operations;

/// <summary>A real <c>worker</c> process does what its settings say: no endpoint when the address is empty, the scheduler's true state on /health.</summary>
public class WorkerSettingsTests(ScoringEnvironment env) : IClassFixture<ScoringEnvironment>
{
    private Dictionary<string, string> WorkerEnvironment(string metricsAddress) => new()
    {
        ["ConnectionStrings__BatchScoring"] = env.ConnectionString,
        ["Jobs__Directory"] = env.Folder,
        ["Models__Directory"] = env.Folder,
        ["Observability__MetricsAddress"] = metricsAddress,
    };

    [Fact]
    public async Task An_empty_metrics_address_turns_the_endpoint_off()
    {
        // appsettings.json next to the executable says http://127.0.0.1:9464; the empty variable must win over it.
        using var worker = Cli.Start(env.Folder, ["worker"], WorkerEnvironment(""));
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(1);
        while (!worker.Output.Contains("/metrics and /health are not served") && !worker.Output.Contains("Serving /metrics"))
        {
            Assert.False(worker.HasExited, $"the worker exited {(worker.HasExited ? worker.ExitCode : 0)}:\n{worker.Output}");
            Assert.True(DateTime.UtcNow < deadline, $"the worker never said whether it serves /metrics:\n{worker.Output}");
            await Task.Delay(100);
        }
        await Task.Delay(TimeSpan.FromSeconds(1));

        Assert.DoesNotContain("Serving /metrics", worker.Output);
        Assert.False(worker.HasExited, $"the worker exited:\n{worker.Output}");
    }

    [Fact]
    public async Task Health_reports_the_scheduler_that_runs_in_the_worker()
    {
        env.WriteJob("nightly", $"""
            name: nightly
            schedule:
              cron: "0 0 3 1 1 ? 2099"
            source:
              table: {ScoringEnvironment.SourceTable}
              key_columns: [customer_id]
            model:
              path: churn.zip
            output:
              table: scored.nightly
            """);
        var address = OperationsHelpers.FreeLoopbackAddress();
        using var worker = Cli.Start(env.Folder, ["worker"], WorkerEnvironment(address));

        var scheduler = await SchedulerCheckAsync(address, worker);

        Assert.True(scheduler.GetProperty("status").GetString() == "healthy", $"scheduler check: {scheduler}");
        Assert.Contains("in-memory", scheduler.GetProperty("detail").GetString());
        Assert.Contains("1 job(s) scheduled", scheduler.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task A_second_worker_on_a_busy_metrics_address_stops_with_one_line_naming_the_setting()
    {
        var address = OperationsHelpers.FreeLoopbackAddress();
        using var first = Cli.Start(env.Folder, ["worker"], WorkerEnvironment(address));
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(1);
        while (!first.Output.Contains("Serving /metrics"))
        {
            Assert.False(first.HasExited, $"the first worker exited:\n{first.Output}");
            Assert.True(DateTime.UtcNow < deadline, $"the first worker never served /metrics:\n{first.Output}");
            await Task.Delay(100);
        }

        var second = await CliRun.RunAsync(env.Folder, ["worker"], WorkerEnvironment(address));

        second.AssertOneLineError(2, "Observability:MetricsAddress", address);
        Assert.False(first.HasExited, $"the first worker exited:\n{first.Output}");
    }

    /// <summary>The scheduler check once it is settled: healthy with the job scheduled, or anything that is not a start-up state.</summary>
    private static async Task<JsonElement> SchedulerCheckAsync(string address, Cli worker)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(1);
        var last = "(no answer)";
        while (DateTime.UtcNow < deadline)
        {
            Assert.False(worker.HasExited, $"the worker exited:\n{worker.Output}");
            try
            {
                var (_, body) = await OperationsHelpers.GetAsync(address + "/health");
                last = body;
                var scheduler = JsonDocument.Parse(body).RootElement.GetProperty("checks").GetProperty("scheduler").Clone();
                var detail = scheduler.GetProperty("detail").GetString() ?? "";
                if (scheduler.GetProperty("status").GetString() != "unhealthy" && (detail.Contains("1 job(s)") || !detail.Contains("job(s)")))
                    return scheduler;
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }
            await Task.Delay(200);
        }
        throw new TimeoutException($"/health never settled; last answer: {last}\n{worker.Output}");
    }
}
