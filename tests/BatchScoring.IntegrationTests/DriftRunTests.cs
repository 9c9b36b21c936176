using System.Globalization;
using BatchScoring.Core.Jobs;
using BatchScoring.Core.Runs;
using BatchScoring.Postgres.Migrations;
using BatchScoring.Worker.Execution;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace BatchScoring.IntegrationTests;

public class DriftRunTests(ScoringEnvironment env) : IClassFixture<ScoringEnvironment>
{
    [Fact]
    public async Task A_run_stores_a_drift_report_that_flags_the_shifted_feature_and_the_scores()
    {
        await using var connection = await env.DataSource.OpenConnectionAsync();
        // From 2026-09-29 on, monthly charges are 40 higher: the last two weeks drift against the first four.
        await connection.ExecuteAsync("""
            CREATE TABLE public.drifting AS SELECT * FROM public.customers;
            UPDATE public.drifting SET monthly_charges = monthly_charges + 40 WHERE event_time >= '2026-09-29';
            """);
        env.WriteJob("drifting", """
            name: drifting
            source:
              table: public.drifting
              key_columns: [customer_id]
              timestamp_column: event_time
            partitioning:
              grain: 7d
              buckets: 2
            model:
              path: churn.zip
            output:
              table: scored.drifting
            """);
        using var host = await env.HostAsync();
        await host.Services.GetRequiredService<MigrationRunner>().ApplyAsync(CancellationToken.None);
        var job = JobSpecLoader.LoadByName(env.Folder, "drifting") with
        {
            Drift = DriftSpec.Default with
            {
                Reference = new DriftReference { WindowStart = new DateTime(2026, 9, 1, 0, 0, 0, DateTimeKind.Utc), WindowEnd = new DateTime(2026, 9, 29, 0, 0, 0, DateTimeKind.Utc) },
            },
        };

        var window = new TimeWindow(new DateTime(2026, 9, 29, 0, 0, 0, DateTimeKind.Utc), new DateTime(2026, 10, 13, 0, 0, 0, DateTimeKind.Utc));
        var outcome = await host.Services.GetRequiredService<JobRunner>().RunAsync(job, new RunRequest(RunTrigger.Backfill, window), CancellationToken.None);
        Assert.Equal(RunStatus.Succeeded, outcome.Status);

        var drifted = (await connection.QueryAsync<string>(
            "SELECT feature FROM scoring.drift_features WHERE run_id = @RunId AND drifted ORDER BY feature", new { outcome.RunId })).ToList();
        Assert.Contains("monthly_charges", drifted);
        Assert.Contains("probability", drifted);
        Assert.DoesNotContain("tenure_months", drifted);
        Assert.DoesNotContain("contract", drifted);
        var summary = await connection.QuerySingleAsync<(long NRef, long NCur)>(
            "SELECT n_ref, n_cur FROM scoring.drift_runs WHERE run_id = @RunId", new { outcome.RunId });
        Assert.Equal(outcome.RowsScored, summary.NCur);
        Assert.Equal(await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM public.drifting WHERE event_time < '2026-09-29'"), summary.NRef);
    }

    [Fact]
    public async Task A_failing_drift_step_is_recorded_on_the_run_and_report_says_why_while_the_run_stays_succeeded()
    {
        // A KS override on a text column passes the job file but fails when the finalizer analyses the run.
        env.WriteJob("drift-fails", """
            name: drift-fails
            source:
              table: public.customers
              key_columns: [customer_id]
              timestamp_column: event_time
            partitioning:
              grain: 7d
            model:
              path: churn.zip
            output:
              table: scored.drift_fails
            drift:
              reference:
                window: {start: "2026-09-01T00:00:00Z", end: "2026-09-15T00:00:00Z"}
              features:
                contract: {method: ks}
            """);
        using var host = await env.HostAsync();
        await host.Services.GetRequiredService<MigrationRunner>().ApplyAsync(CancellationToken.None);
        var window = new TimeWindow(new DateTime(2026, 9, 15, 0, 0, 0, DateTimeKind.Utc), new DateTime(2026, 9, 29, 0, 0, 0, DateTimeKind.Utc));
        var outcome = await host.Services.GetRequiredService<JobRunner>().RunAsync(
            JobSpecLoader.LoadByName(env.Folder, "drift-fails"), new RunRequest(RunTrigger.Backfill, window), CancellationToken.None);
        Assert.True(outcome.Status == RunStatus.Succeeded, outcome.Error);

        await using var connection = await env.DataSource.OpenConnectionAsync();
        var run = await connection.QuerySingleAsync<(string Status, string? DriftStatus, string? DriftError)>(
            "SELECT status, drift_status, drift_error FROM scoring.runs WHERE run_id = @RunId", new { outcome.RunId });
        Assert.Equal((RunStatus.Succeeded, "failed"), (run.Status, run.DriftStatus));
        Assert.Contains("contract", run.DriftError);

        var (exitCode, output) = await DemoCommandTests.RunCliAsync(env.Folder, ["report", outcome.RunId.ToString(CultureInfo.InvariantCulture)],
            new Dictionary<string, string> { ["ConnectionStrings__BatchScoring"] = env.ConnectionString });
        Assert.Equal(2, exitCode);
        Assert.Contains($"Run {outcome.RunId} has no drift report: making it failed", output);
        Assert.Contains("contract", output);
    }

    [Fact]
    public async Task A_model_registered_with_a_reference_profile_is_the_drift_reference_of_its_runs()
    {
        var environment = new Dictionary<string, string>
        {
            ["ConnectionStrings__BatchScoring"] = env.ConnectionString,
            ["Models__Directory"] = env.Folder,
            ["Models__StoreDirectory"] = Path.Combine(env.Folder, "store"),
        };
        var (exitCode, output) = await DemoCommandTests.RunCliAsync(env.Folder,
            ["models", "register", "profiled", env.ModelFile, "--alias", "champion", "--reference", "public.customers", "--reference-key", "customer_id"], environment);
        Assert.True(exitCode == 0, output);
        Assert.Contains($"{ScoringEnvironment.SourceRows:N0} reference rows", output);

        env.WriteJob("profiled", """
            name: profiled
            source:
              table: public.customers
              key_columns: [customer_id]
            model:
              name: profiled@champion
            output:
              table: scored.profiled
            """);
        using var host = await env.HostAsync(("Models:StoreDirectory", Path.Combine(env.Folder, "store")));
        var outcome = await host.Services.GetRequiredService<JobRunner>().RunAsync(
            JobSpecLoader.LoadByName(env.Folder, "profiled"), RunTrigger.Manual, CancellationToken.None);
        Assert.True(outcome.Status == RunStatus.Succeeded, outcome.Error);

        await using var connection = await env.DataSource.OpenConnectionAsync();
        var summary = await connection.QuerySingleAsync<(string Reference, long NRef, long NCur, bool DatasetDrift)>(
            "SELECT reference, n_ref, n_cur, dataset_drift FROM scoring.drift_runs WHERE run_id = @RunId", new { outcome.RunId });
        Assert.Equal("model profiled@1 profile", summary.Reference);
        Assert.Equal(ScoringEnvironment.SourceRows, summary.NRef);
        Assert.Equal(ScoringEnvironment.SourceRows, summary.NCur);
        Assert.False(summary.DatasetDrift);
    }

    [Theory]
    // What an earlier release stored: format version 2, before the sample salt.
    [InlineData("old-profile", """{"version": 2, "sample_size": 2000, "top_k": 50, "category_capacity": 1000, "frozen": true, "features": []}""", "format version 2")]
    // This release's version with a feature that lacks its fields.
    [InlineData("bad-profile", """{"version": 3, "sample_size": 2000, "top_k": 50, "category_capacity": 1000, "frozen": true, "sample_salt": 1, "features": [{"name": "x"}]}""",
        "not valid JSON of the expected shape")]
    public async Task A_reference_profile_this_release_cannot_read_fails_the_drift_report_not_the_run(string model, string profile, string why)
    {
        var environment = new Dictionary<string, string>
        {
            ["ConnectionStrings__BatchScoring"] = env.ConnectionString,
            ["Jobs__Directory"] = env.Folder,
            ["Models__Directory"] = env.Folder,
            ["Models__StoreDirectory"] = Path.Combine(env.Folder, "store"),
            ["Observability__MetricsAddress"] = "",
        };
        using (var host = await env.HostAsync())
            await host.Services.GetRequiredService<MigrationRunner>().ApplyAsync(CancellationToken.None);
        var (exitCode, output) = await DemoCommandTests.RunCliAsync(env.Folder, ["models", "register", model, env.ModelFile, "--alias", "champion"], environment);
        Assert.True(exitCode == 0, output);
        await using var connection = await env.DataSource.OpenConnectionAsync();
        await connection.ExecuteAsync("UPDATE scoring.models SET reference_profile = @profile::jsonb WHERE name = @model", new { profile, model });
        env.WriteJob(model, $"""
            name: {model}
            source:
              table: public.customers
              key_columns: [customer_id]
            model:
              name: {model}@champion
            output:
              table: scored.{model.Replace('-', '_')}
            """);

        (exitCode, output) = await DemoCommandTests.RunCliAsync(env.Folder, ["run", model], environment);
        Assert.True(exitCode == 0, output);
        var run = await connection.QuerySingleAsync<(long RunId, string Status, long RowsScored, string? DriftStatus, string? DriftError)>(
            "SELECT run_id, status, rows_scored, drift_status, drift_error FROM scoring.runs WHERE job_name = @model ORDER BY run_id DESC LIMIT 1", new { model });
        Assert.Equal((RunStatus.Succeeded, ScoringEnvironment.SourceRows, "failed"), (run.Status, run.RowsScored, run.DriftStatus));
        Assert.Contains($"reference profile of model {model}@1", run.DriftError);
        Assert.Contains(why, run.DriftError);
        Assert.Equal(0, await connection.ExecuteScalarAsync<long>(
            "SELECT count(*) FROM scoring.partitions WHERE run_id = @RunId AND drift_sketch IS NOT NULL", new { run.RunId }));

        (exitCode, output) = await DemoCommandTests.RunCliAsync(env.Folder, ["report", run.RunId.ToString(CultureInfo.InvariantCulture)], environment);
        Assert.Equal(2, exitCode);
        Assert.Contains($"Run {run.RunId} has no drift report: making it failed: The drift sketch of the reference profile of model {model}@1 cannot be read", output);
        Assert.Contains(why, output);
    }

    [Fact]
    public async Task A_partition_sketch_that_cannot_be_read_when_the_run_finishes_fails_the_drift_report_not_the_run()
    {
        await using var connection = await env.DataSource.OpenConnectionAsync();
        // Slow writes keep the run's second partition going while the first one's stored sketch is spoilt.
        await SlowPartitions.CreateOutputAsync(connection, "scored.bad_partition_sketch", 0.5);
        env.WriteJob("bad-partition-sketch", """
            name: bad-partition-sketch
            source:
              table: public.customers
              key_columns: [customer_id]
              timestamp_column: event_time
            partitioning:
              grain: 7d
            model:
              path: churn.zip
            output:
              table: scored.bad_partition_sketch
            drift:
              reference:
                window: {start: "2026-09-01T00:00:00Z", end: "2026-09-15T00:00:00Z"}
            """);
        using var host = await env.HostAsync(("Worker:Slots", "1"));
        await host.Services.GetRequiredService<MigrationRunner>().ApplyAsync(CancellationToken.None);
        var window = new TimeWindow(new DateTime(2026, 9, 15, 0, 0, 0, DateTimeKind.Utc), new DateTime(2026, 9, 29, 0, 0, 0, DateTimeKind.Utc));
        var running = host.Services.GetRequiredService<JobRunner>().RunAsync(
            JobSpecLoader.LoadByName(env.Folder, "bad-partition-sketch"), new RunRequest(RunTrigger.Backfill, window), CancellationToken.None);

        // As a worker of another release would have stored it: this release's version, not its shape.
        var spoilt = await SpoilFirstSketchAsync(connection, "bad-partition-sketch", """{"version": 3, "features": 7}""");
        var outcome = await running.WaitAsync(TimeSpan.FromMinutes(3));
        Assert.True(outcome.Status == RunStatus.Succeeded, outcome.Error);
        Assert.Equal(spoilt.RunId, outcome.RunId);
        Assert.Equal(await connection.ExecuteScalarAsync<long>(
            "SELECT count(*) FROM public.customers WHERE event_time >= '2026-09-15' AND event_time < '2026-09-29'"), outcome.RowsScored);
        Assert.Equal(outcome.RowsScored, await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM scored.bad_partition_sketch"));

        var run = await connection.QuerySingleAsync<(string Status, string? DriftStatus, string? DriftError)>(
            "SELECT status, drift_status, drift_error FROM scoring.runs WHERE run_id = @RunId", new { outcome.RunId });
        Assert.Equal((RunStatus.Succeeded, "failed"), (run.Status, run.DriftStatus));
        var expected = $"The drift sketch of partition {spoilt.PartitionId} of run {outcome.RunId} cannot be read";
        Assert.Contains(expected, run.DriftError);
        Assert.Equal(0, await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM scoring.drift_runs WHERE run_id = @RunId", new { outcome.RunId }));

        var (exitCode, output) = await DemoCommandTests.RunCliAsync(env.Folder, ["report", outcome.RunId.ToString(CultureInfo.InvariantCulture)],
            new Dictionary<string, string> { ["ConnectionStrings__BatchScoring"] = env.ConnectionString });
        Assert.Equal(2, exitCode);
        Assert.Contains($"Run {outcome.RunId} has no drift report: making it failed: FormatException: {expected}", output);
    }

    /// <summary>Waits for the job's first partition to succeed with a sketch and overwrites that sketch.</summary>
    private static async Task<(long RunId, long PartitionId)> SpoilFirstSketchAsync(NpgsqlConnection connection, string job, string sketch)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(2);
        while (DateTime.UtcNow < deadline)
        {
            var first = (await connection.QueryAsync<(long RunId, long PartitionId)>("""
                SELECT p.run_id, p.partition_id FROM scoring.partitions p JOIN scoring.runs r USING (run_id)
                WHERE r.job_name = @job AND p.status = 'succeeded' AND p.drift_sketch IS NOT NULL
                ORDER BY p.partition_id LIMIT 1
                """, new { job })).ToList();
            if (first is [var found])
            {
                await connection.ExecuteAsync("UPDATE scoring.partitions SET drift_sketch = @sketch::jsonb WHERE partition_id = @PartitionId",
                    new { sketch, found.PartitionId });
                return found;
            }
            await Task.Delay(50);
        }
        throw new TimeoutException($"No partition of job {job} succeeded with a drift sketch.");
    }
}
