using System.Net;
using System.Text.Json;

namespace BatchScoring.IntegrationTests.WebConsole;

/// <summary>Every page and JSON twin of the console answers with the seeded ledger's runs, jobs, models and drift; bad and unknown inputs are 400 and 404.</summary>
public class ConsolePagesTests(ConsoleEnvironment env) : IClassFixture<ConsoleEnvironment>
{
    [Fact]
    public async Task The_runs_page_and_its_twin_list_every_run_with_filters_and_first_errors()
    {
        await using var console = await RunningConsole.StartAsync(env);
        var page = await console.OkAsync("/");
        foreach (var run in new[] { env.FinishedRun, env.FailedRun, env.BrokenRun, env.RunningRun, env.DriftedRun })
            Assert.Contains($"<a href=\"/runs/{run}\">{run}</a>", page);
        Assert.Contains("partially failed", page);
        Assert.Contains("could not be scored", page);
        Assert.Contains("6 run(s)", page);
        Assert.Contains("source query failed: permission denied for table customers", page);

        using var all = JsonDocument.Parse(await console.OkAsync("/api/runs"));
        Assert.Equal(6, all.RootElement.GetProperty("total").GetInt64());
        Assert.Equal(env.RunningRun, all.RootElement.GetProperty("runs")[0].GetProperty("run_id").GetInt64());
        var failed = all.RootElement.GetProperty("runs").EnumerateArray().Single(r => r.GetProperty("run_id").GetInt64() == env.FailedRun);
        Assert.StartsWith("row 17: ", failed.GetProperty("first_error").GetString());
        Assert.Equal(180, failed.GetProperty("duration_seconds").GetDouble());

        using var filtered = JsonDocument.Parse(await console.OkAsync($"/api/runs?job={ConsoleEnvironment.Job}&trigger=manual&from=2026-11-23&to=2026-11-23T12:00Z"));
        Assert.Equal([env.DriftedRun], filtered.RootElement.GetProperty("runs").EnumerateArray().Select(r => r.GetProperty("run_id").GetInt64()));
        using var running = JsonDocument.Parse(await console.OkAsync("/api/runs?status=running"));
        Assert.Equal(1, running.RootElement.GetProperty("total").GetInt64());
        using var failedOnly = JsonDocument.Parse(await console.OkAsync("/api/runs?status=failed"));
        Assert.Equal([env.BrokenRun], failedOnly.RootElement.GetProperty("runs").EnumerateArray().Select(r => r.GetProperty("run_id").GetInt64()));
        Assert.Equal(2000, running.RootElement.GetProperty("runs")[0].GetProperty("rows_scored").GetInt64());

        var (status, body, _) = await console.GetAsync("/api/runs?status=done");
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("status: 'done' is not one of", body);
        Assert.Equal(HttpStatusCode.BadRequest, (await console.GetAsync("/?from=yesterday")).Status);
    }

    [Fact]
    public async Task A_run_page_shows_its_partition_grid_failures_dead_letters_and_its_twin_the_runs_show_document()
    {
        await using var console = await RunningConsole.StartAsync(env);
        var page = await console.OkAsync($"/runs/{env.FailedRun}");
        Assert.Equal(3, System.Text.RegularExpressions.Regex.Count(page, "class=\"cell s-"));
        Assert.Contains("class=\"cell s-failed\"", page);
        Assert.Contains("<h2>Failed partitions</h2>", page);
        Assert.Contains("<h2>Slowest partitions</h2>", page);
        Assert.Contains("income is NaN", page);
        Assert.Contains("customer_id=1", page);
        Assert.DoesNotContain("data-live", page);
        Assert.DoesNotContain("ETA", page);
        Assert.Contains("not measured (no reference profile)", page);

        using var json = JsonDocument.Parse(await console.OkAsync($"/api/runs/{env.FailedRun}"));
        var root = json.RootElement;
        Assert.Equal("partially_failed", root.GetProperty("run").GetProperty("status").GetString());
        Assert.Equal(3, root.GetProperty("partitions").GetArrayLength());
        Assert.Equal(1, root.GetProperty("partitions_by_status").GetProperty("failed").GetInt32());
        Assert.Equal(3, root.GetProperty("dead_letters")[0].GetProperty("rows").GetInt64());
        Assert.Equal(JsonValueKind.Null, root.GetProperty("report").ValueKind);
        Assert.Equal(JsonValueKind.Null, root.GetProperty("progress").GetProperty("eta_seconds").ValueKind);

        Assert.Equal(HttpStatusCode.NotFound, (await console.GetAsync("/runs/999999")).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await console.GetAsync("/api/runs/999999")).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await console.GetAsync($"/runs/{env.FailedRun}/report")).Status);
    }

    [Fact]
    public async Task A_running_run_page_is_live_with_rows_per_second_and_an_eta()
    {
        await using var console = await RunningConsole.StartAsync(env);
        var page = await console.OkAsync($"/runs/{env.RunningRun}");
        Assert.Contains($"data-live=\"/api/runs/{env.RunningRun}?partitions=changed&amp;since=", page);
        Assert.Contains("<script src=\"/assets/console.js\"></script>", page);
        using var json = JsonDocument.Parse(await console.OkAsync($"/api/runs/{env.RunningRun}"));
        var progress = json.RootElement.GetProperty("progress");
        Assert.Equal(2, progress.GetProperty("partitions_done").GetInt32());
        Assert.Equal(1, progress.GetProperty("partitions_running").GetInt32());
        Assert.Equal(2000, progress.GetProperty("rows_scored").GetInt64());
        Assert.Equal(4000, progress.GetProperty("estimated_rows").GetInt64());
        Assert.InRange(progress.GetProperty("rows_per_second").GetDouble(), 20, 40);
        Assert.InRange(progress.GetProperty("eta_seconds").GetDouble(), 50, 80);
        Assert.Contains("data-live", await console.OkAsync("/assets/console.js"));
        Assert.Contains(".grid", await console.OkAsync("/assets/console.css"));
    }

    [Fact]
    public async Task A_live_run_page_polls_only_the_partitions_changed_since_its_cursor()
    {
        await using var console = await RunningConsole.StartAsync(env);
        using var all = JsonDocument.Parse(await console.OkAsync($"/api/runs/{env.RunningRun}"));
        Assert.Equal(4, all.RootElement.GetProperty("partitions").GetArrayLength());
        var cursor = all.RootElement.GetProperty("cursor").GetDateTime();
        var page = await console.OkAsync($"/runs/{env.RunningRun}");
        Assert.Contains($"data-live=\"/api/runs/{env.RunningRun}?partitions=changed&amp;since={Uri.EscapeDataString(cursor.ToString("O", System.Globalization.CultureInfo.InvariantCulture))}\"", page);

        // Both finishes are within the slack before the cursor; a minute later only the running partition can still change.
        using var recent = JsonDocument.Parse(await console.OkAsync($"/api/runs/{env.RunningRun}?partitions=changed&since={Uri.EscapeDataString(cursor.ToString("O"))}"));
        Assert.Equal(["succeeded", "succeeded", "running"], recent.RootElement.GetProperty("partitions").EnumerateArray().Select(p => p.GetProperty("status").GetString()));
        using var later = JsonDocument.Parse(await console.OkAsync($"/api/runs/{env.RunningRun}?partitions=changed&since={Uri.EscapeDataString(cursor.AddMinutes(1).ToString("O"))}"));
        Assert.Equal(["running"], later.RootElement.GetProperty("partitions").EnumerateArray().Select(p => p.GetProperty("status").GetString()));
        Assert.Equal(2000, later.RootElement.GetProperty("progress").GetProperty("rows_scored").GetInt64());

        using var finished = JsonDocument.Parse(await console.OkAsync($"/api/runs/{env.FailedRun}?partitions=changed&since=2099-01-01T00:00Z"));
        Assert.Equal(3, finished.RootElement.GetProperty("partitions").GetArrayLength());
        var (status, body, _) = await console.GetAsync($"/api/runs/{env.RunningRun}?partitions=changed&since=soon");
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("since: 'soon' is not an ISO 8601 instant", body);
        Assert.Equal(HttpStatusCode.BadRequest, (await console.GetAsync($"/api/runs/{env.RunningRun}?partitions=some")).Status);
    }

    [Fact]
    public async Task The_runs_list_with_a_running_run_is_live_with_its_rows_per_second_and_eta()
    {
        await using var console = await RunningConsole.StartAsync(env);
        var page = await console.OkAsync("/?job=" + ConsoleEnvironment.LiveJob);
        Assert.Contains($"data-live=\"/api/runs?job={ConsoleEnvironment.LiveJob}\"", page);
        Assert.Matches(new System.Text.RegularExpressions.Regex($"<tr data-run=\"{env.RunningRun}\">.*<span data-field=\"rows_per_second\">\\d+</span> rows/s, ETA <span data-field=\"eta\">\\d\\d:\\d\\d:\\d\\d</span>"), page);
        Assert.DoesNotContain("data-live", await console.OkAsync("/?status=failed"));

        using var json = JsonDocument.Parse(await console.OkAsync("/api/runs"));
        foreach (var run in json.RootElement.GetProperty("runs").EnumerateArray())
        {
            var progress = run.GetProperty("progress");
            if (run.GetProperty("run_id").GetInt64() != env.RunningRun)
            {
                Assert.Equal(JsonValueKind.Null, progress.ValueKind);
                continue;
            }
            Assert.InRange(progress.GetProperty("rows_per_second").GetDouble(), 20, 40);
            Assert.InRange(progress.GetProperty("eta_seconds").GetDouble(), 50, 80);
        }
    }

    [Fact]
    public async Task A_drifted_run_shows_its_verdict_shadow_agreement_and_report_inline_and_the_drift_page_charts_the_feature()
    {
        await using var console = await RunningConsole.StartAsync(env);
        var page = await console.OkAsync($"/runs/{env.DriftedRun}");
        Assert.Contains("<span class=\"drift\">DRIFT</span>", page);
        Assert.Contains($"<iframe class=\"report\" title=\"drift report\" src=\"/runs/{env.DriftedRun}/report\"></iframe>", page);
        var report = await console.OkAsync($"/runs/{env.DriftedRun}/report");
        Assert.Contains("<meta name=\"generator\" content=\"batchscoring drift report\">", report);
        Assert.Contains("challenger churn 2: 2,000 rows, labels agree 93.4", page);
        Assert.Contains("score difference", page);
        Assert.Contains("0.0412, score correlation 0.957", page);
        using var run = JsonDocument.Parse(await console.OkAsync($"/api/runs/{env.DriftedRun}"));
        Assert.Equal(0.934, run.RootElement.GetProperty("shadow").GetProperty("label_agreement").GetDouble());

        var drift = await console.OkAsync($"/drift/{ConsoleEnvironment.Job}/age");
        Assert.Contains("class=\"trend\"", drift);
        Assert.Contains($"<a href=\"/runs/{env.DriftedRun}\">", drift);
        using var json = JsonDocument.Parse(await console.OkAsync($"/api/drift/{ConsoleEnvironment.Job}/age"));
        var points = json.RootElement.GetProperty("points").EnumerateArray().ToArray();
        Assert.Equal(2, points.Length);
        Assert.False(points[0].GetProperty("drifted").GetBoolean());
        Assert.True(points[1].GetProperty("drifted").GetBoolean());
        Assert.Equal(env.DriftedRun, points[1].GetProperty("run_id").GetInt64());
        Assert.Equal(HttpStatusCode.NotFound, (await console.GetAsync($"/drift/{ConsoleEnvironment.Job}/no_such_feature")).Status);
    }

    [Fact]
    public async Task The_jobs_pages_show_schedules_in_their_zone_the_window_of_each_fire_validation_and_drift_links()
    {
        await using var console = await RunningConsole.StartAsync(env);
        var list = await console.OkAsync("/jobs");
        Assert.Contains($"<a href=\"/jobs/{ConsoleEnvironment.Job}\">", list);
        Assert.Contains("0 0 6 * * ? (Europe/Berlin)", list);
        Assert.Contains("invalid: 2 error(s)", list);
        Assert.Contains("broken.yaml:7:3:", list);

        var job = await console.OkAsync($"/jobs/{ConsoleEnvironment.Job}");
        Assert.Contains("Europe/Berlin = [", job);
        Assert.Contains($"<a href=\"/drift/{ConsoleEnvironment.Job}/age\">age</a>", job);
        Assert.Contains("churn@champion", job);
        Assert.Contains("1d, ending 6h before each fire", job);
        Assert.Contains("time slices of 1d", job);
        using var json = JsonDocument.Parse(await console.OkAsync($"/api/jobs/{ConsoleEnvironment.Job}"));
        var fires = json.RootElement.GetProperty("next_fires").EnumerateArray().ToArray();
        Assert.Equal(5, fires.Length);
        foreach (var fire in fires)
        {
            var at = fire.GetProperty("at_utc").GetDateTime();
            Assert.Equal(TimeSpan.FromHours(6), TimeZoneInfo.ConvertTimeFromUtc(at, TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin")).TimeOfDay);
            Assert.Equal(TimeSpan.FromDays(1), fire.GetProperty("window_end").GetDateTime() - fire.GetProperty("window_start").GetDateTime());
        }
        Assert.Equal(4, json.RootElement.GetProperty("last_runs").GetArrayLength());

        var broken = await console.OkAsync("/jobs/broken");
        Assert.Contains("broken.yaml:7:3:", broken);
        using var brokenJson = JsonDocument.Parse(await console.OkAsync("/api/jobs/broken"));
        Assert.False(brokenJson.RootElement.GetProperty("valid").GetBoolean());
        Assert.Equal(7, brokenJson.RootElement.GetProperty("errors")[0].GetProperty("line").GetInt64());
        using var jobs = JsonDocument.Parse(await console.OkAsync("/api/jobs"));
        Assert.Equal(3, jobs.RootElement.GetProperty("jobs").GetArrayLength());
        Assert.Equal(HttpStatusCode.NotFound, (await console.GetAsync("/jobs/nope")).Status);
    }

    [Fact]
    public async Task The_models_page_lists_versions_with_aliases_inputs_outputs_and_the_jobs_using_them()
    {
        await using var console = await RunningConsole.StartAsync(env);
        var page = await console.OkAsync("/models");
        Assert.Contains("age Single, plan String", page);
        Assert.Contains("Probability Single", page);
        using var json = JsonDocument.Parse(await console.OkAsync("/api/models"));
        var versions = json.RootElement.EnumerateArray().ToArray();
        Assert.Equal(2, versions.Length);
        Assert.Equal(["champion"], versions[0].GetProperty("aliases").EnumerateArray().Select(a => a.GetString()));
        Assert.Equal(ConsoleEnvironment.Job, versions[0].GetProperty("jobs")[0].GetProperty("job").GetString());
        Assert.Equal(ConsoleEnvironment.LiveJob, versions[1].GetProperty("jobs")[0].GetProperty("job").GetString());
        Assert.Equal(0.91, versions[0].GetProperty("metrics").GetProperty("auc").GetDouble());
        Assert.Equal("binary classification", versions[0].GetProperty("task").GetString());
    }
}
