using System.Text.Json;

namespace BatchScoring.IntegrationTests.Operations;

/// <summary>
/// <c>-o json</c> on run, backfill --dry-run, runs, runs show and jobs list is one JSON document on stdout with the documented
/// fields; <c>runs show</c> summarises a run and lists partitions only with --partitions; <c>runs</c> shows duration and first error.
/// </summary>
public class RunsOutputTests(ScoringEnvironment env) : IClassFixture<ScoringEnvironment>
{
    private Dictionary<string, string> Environment() => new()
    {
        ["ConnectionStrings__BatchScoring"] = env.ConnectionString,
        ["Jobs__Directory"] = env.Folder,
        ["Models__Directory"] = env.Folder,
        ["Observability__MetricsAddress"] = "",
    };

    private async Task<JsonElement> JsonOfAsync(params string[] arguments)
    {
        var result = await CliRun.RunAsync(env.Folder, arguments, Environment());
        Assert.True(result.ExitCode == 0, $"{string.Join(' ', arguments)} exited {result.ExitCode}\n{result.Stdout}\n{result.Stderr}");
        return JsonDocument.Parse(result.Stdout).RootElement;
    }

    [Fact]
    public async Task Run_runs_and_runs_show_print_documented_json_and_runs_show_lists_partitions_only_when_asked()
    {
        env.WriteJob("json-out", OperationsHelpers.ChurnJobText("json-out", ScoringEnvironment.SourceTable, "scored.json_out") + "\npartitioning:\n  buckets: 4\n");

        var summary = await JsonOfAsync("run", "json-out", "-o", "json");
        var runId = summary.GetProperty("run_id").GetInt64();
        Assert.Equal("succeeded", summary.GetProperty("status").GetString());
        Assert.Equal(ScoringEnvironment.SourceRows, summary.GetProperty("rows_scored").GetInt64());
        Assert.Equal("scored.json_out", summary.GetProperty("output").GetString());
        Assert.Equal(JsonValueKind.Null, summary.GetProperty("error").ValueKind);

        var runs = await JsonOfAsync("runs", "--job", "json-out", "-o", "json");
        var listed = Assert.Single(runs.EnumerateArray());
        Assert.Equal(runId, listed.GetProperty("run_id").GetInt64());
        Assert.True(listed.GetProperty("duration_seconds").GetDouble() >= 0);
        Assert.Equal(JsonValueKind.Null, listed.GetProperty("first_error").ValueKind);

        var show = await JsonOfAsync("runs", "show", runId.ToString(System.Globalization.CultureInfo.InvariantCulture), "-o", "json");
        Assert.Equal(4, show.GetProperty("partitions_by_status").GetProperty("succeeded").GetInt32());
        Assert.InRange(show.GetProperty("slowest").GetArrayLength(), 1, 4);
        Assert.Equal(0, show.GetProperty("failed").GetArrayLength());
        Assert.Equal(JsonValueKind.Null, show.GetProperty("drift").ValueKind);
        Assert.Equal(JsonValueKind.Null, show.GetProperty("shadow").ValueKind);
        Assert.Equal(JsonValueKind.Null, show.GetProperty("partitions").ValueKind);
        var withPartitions = await JsonOfAsync("runs", "show", runId.ToString(System.Globalization.CultureInfo.InvariantCulture), "--partitions", "-o", "json");
        Assert.Equal(4, withPartitions.GetProperty("partitions").GetArrayLength());

        var jobs = await JsonOfAsync("jobs", "list", "-o", "json");
        var listedJob = Assert.Single(jobs.EnumerateArray(), j => j.GetProperty("name").GetString() == "json-out");
        Assert.True(listedJob.GetProperty("enabled").GetBoolean());
        Assert.Equal(JsonValueKind.Null, listedJob.GetProperty("schedule").ValueKind);
        Assert.Equal(runId, listedJob.GetProperty("last_run").GetProperty("run_id").GetInt64());

        var text = await CliRun.RunAsync(env.Folder, ["runs", "show", runId.ToString(System.Globalization.CultureInfo.InvariantCulture)], Environment());
        Assert.Contains("partitions  4: 4 succeeded", text.Stdout);
        Assert.Contains("drift       not measured", text.Stdout);
        Assert.Contains("--partitions", text.Stdout);
        Assert.DoesNotContain("tries", text.Stdout);
    }

    [Fact]
    public async Task Runs_show_of_a_skip_unchanged_re_run_gives_each_partition_s_unchanged_rows()
    {
        env.WriteJob("skip-out", OperationsHelpers.ChurnJobText("skip-out", ScoringEnvironment.SourceTable, "scored.skip_out") + "\n  skip_unchanged: true\npartitioning:\n  buckets: 4\n");
        await JsonOfAsync("run", "skip-out", "-o", "json");
        var again = await JsonOfAsync("run", "skip-out", "-o", "json");
        var runId = again.GetProperty("run_id").GetInt64().ToString(System.Globalization.CultureInfo.InvariantCulture);

        var text = await CliRun.RunAsync(env.Folder, ["runs", "show", runId], Environment());
        Assert.Contains($"0 scored, {ScoringEnvironment.SourceRows:N0} unchanged", text.Stdout);
        Assert.Contains("unchanged)", text.Stdout);
        var listed = await CliRun.RunAsync(env.Folder, ["runs", "show", runId, "--partitions"], Environment());
        Assert.Matches(@"rows\s+unchanged\s+failed", listed.Stdout);
    }

    [Fact]
    public async Task Runs_shows_the_first_error_of_a_failed_run()
    {
        // A misfit is refused before a run exists, so the run fails where reading does: only the partitions' COPY divides by zero.
        env.WriteJob("broken-out", """
            name: broken-out
            source:
              query: "SELECT c.*, 1 / (CASE WHEN current_query() LIKE 'COPY%' THEN 0 ELSE 1 END) AS z FROM public.customers c"
              key_columns: [customer_id]
            model:
              path: churn.zip
            output:
              table: scored.broken_out
            retries:
              max_attempts: 1
            """);
        var run = await CliRun.RunAsync(env.Folder, ["run", "broken-out"], Environment());
        Assert.Equal(1, run.ExitCode);

        var runs = await CliRun.RunAsync(env.Folder, ["runs", "--job", "broken-out"], Environment());

        Assert.Equal(0, runs.ExitCode);
        Assert.Matches(@"first error\s*\n\s*\d+\s+broken-out .*failed .*partitions failed; first: .*Cannot read the source", runs.Stdout);
    }

    [Fact]
    public async Task A_dry_run_prints_its_plan_as_json()
    {
        env.WriteJob("json-plan", """
            name: json-plan
            source:
              table: public.customers
              key_columns: [customer_id]
              timestamp_column: event_time
            partitioning:
              grain: 1d
            model:
              path: churn.zip
            output:
              table: scored.json_plan
            """);

        var plan = await JsonOfAsync("backfill", "json-plan", "--from", "2026-09-01", "--to", "2026-09-03", "--dry-run", "-o", "json");

        Assert.Equal("UTC", plan.GetProperty("time_zone").GetString());
        Assert.Equal(new DateTime(2026, 9, 1, 0, 0, 0, DateTimeKind.Utc), plan.GetProperty("start_utc").GetDateTime().ToUniversalTime());
        Assert.True(plan.GetProperty("partitions").GetArrayLength() >= 2);
        Assert.All(plan.GetProperty("partitions").EnumerateArray(), p => Assert.False(string.IsNullOrEmpty(p.GetProperty("key").GetString())));
    }
}
