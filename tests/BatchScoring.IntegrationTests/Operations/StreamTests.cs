using System.Text.Json;

namespace BatchScoring.IntegrationTests.Operations;

/// <summary>Results on stdout, logs and progress on stderr, in both log formats; per-partition lines are left to Debug while progress is shown.</summary>
public class StreamTests(ScoringEnvironment env) : IClassFixture<ScoringEnvironment>
{
    private Dictionary<string, string> Environment(string format) => new()
    {
        ["ConnectionStrings__BatchScoring"] = env.ConnectionString,
        ["Jobs__Directory"] = env.Folder,
        ["Models__Directory"] = env.Folder,
        ["Observability__MetricsAddress"] = "",
        ["Logging__Format"] = format,
    };

    [Fact]
    public async Task With_json_logs_stderr_is_only_json_events_and_stdout_only_the_summary()
    {
        env.WriteJob("streams-json", OperationsHelpers.ChurnJobText("streams-json", ScoringEnvironment.SourceTable, "scored.streams_json") + "\npartitioning:\n  buckets: 6\n");

        var run = await CliRun.RunAsync(env.Folder, ["run", "streams-json"], Environment("json"));

        Assert.True(run.ExitCode == 0, $"exit {run.ExitCode}\n{run.Stdout}\n{run.Stderr}");
        var events = run.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line =>
        {
            try
            {
                return JsonDocument.Parse(line).RootElement;
            }
            catch (JsonException)
            {
                throw new Xunit.Sdk.XunitException($"stderr line is not JSON: {line}");
            }
        }).ToList();
        Assert.All(events, e => Assert.True(e.TryGetProperty("@t", out _)));
        Assert.Contains(events, e => e.GetProperty("@m").GetString()!.Contains("6 partitions", StringComparison.Ordinal));
        Assert.DoesNotContain(events, e => e.TryGetProperty("PartitionId", out _) && !e.TryGetProperty("@l", out _));
        Assert.DoesNotContain("@t", run.Stdout);
        Assert.Matches(@"^Run \d+: succeeded", run.Stdout);
    }

    [Fact]
    public async Task With_text_logs_run_and_runs_print_only_their_results_on_stdout()
    {
        OperationsHelpers.WriteChurnJob(env, "streams-text", ScoringEnvironment.SourceTable, "scored.streams_text");

        var run = await CliRun.RunAsync(env.Folder, ["run", "streams-text"], Environment("text"));
        var runs = await CliRun.RunAsync(env.Folder, ["runs"], Environment("text"));

        Assert.True(run.ExitCode == 0, $"exit {run.ExitCode}\n{run.Stdout}\n{run.Stderr}");
        Assert.Matches(@"^Run \d+: succeeded\r?\n(  \S.*\r?\n)+$", run.Stdout);
        Assert.Contains(" INF]", run.Stderr);
        Assert.True(run.Stderr.Contains("partitions", StringComparison.Ordinal), run.Stderr);
        // The redirected progress header reads like every log line: the scope slot holds the job and run, never the run's range.
        Assert.Matches(@"INF\](?: \[[^\]]+\])? Run \d+: the whole source, \d+ partitions", run.Stderr);
        Assert.True(runs.ExitCode == 0, $"exit {runs.ExitCode}\n{runs.Stdout}\n{runs.Stderr}");
        Assert.Matches(@"^\s*run\s+job", runs.Stdout);
        Assert.DoesNotContain(" INF]", runs.Stdout);
    }
}
