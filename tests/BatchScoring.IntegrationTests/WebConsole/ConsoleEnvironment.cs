using System.Text.Json;
using BatchScoring.Core.Drift;
using BatchScoring.Core.Jobs;
using BatchScoring.Core.Scoring;
using BatchScoring.Models.Description;
using BatchScoring.Postgres.Drift;
using BatchScoring.Postgres.Migrations;
using BatchScoring.Postgres.Registry;
using BatchScoring.Testing;
using BatchScoring.Worker.Cli;
using BatchScoring.Worker.Hosting;
using Dapper;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace BatchScoring.IntegrationTests.WebConsole;

/// <summary>
/// A ledger with a finished, a partially failed, a failed, a running and two analysed runs (the later one drifted), a registered model, a valid and an invalid job
/// file, and <c>&lt;script&gt;</c> planted in a job description, a partition error and a drifted category name.
/// </summary>
public class ConsoleEnvironment : PostgresDatabase
{
    public const string Job = "churn-daily";
    public const string LiveJob = "churn-hourly";
    public const string Planted = "<script>alert(1)</script>";
    public const string QueryJob = "from-query";
    /// <summary>A secret-looking literal in a job's source query, which no page may show.</summary>
    public const string QuerySecret = "sk-live-5f2c9a71";
    /// <summary>The password of the console's connection string (trust authentication ignores it), which no page may show.</summary>
    public const string Password = "Db-Secret-81c3";

    public string Folder { get; } = Path.Combine(Path.GetTempPath(), "batchscoring-console-" + Guid.NewGuid().ToString("N")[..12]);
    public long FinishedRun { get; private set; }
    public long FailedRun { get; private set; }
    public long RunningRun { get; private set; }
    public long DriftedRun { get; private set; }
    /// <summary>A run that failed before any partition, with its own error.</summary>
    public long BrokenRun { get; private set; }

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        Directory.CreateDirectory(Folder);
        File.WriteAllText(Path.Combine(Folder, Job + ".yaml"), $"""
            name: {Job}
            description: "Daily churn {Planted}"
            schedule:
              cron: "0 0 6 * * ?"
              timezone: Europe/Berlin
            window:
              size: 1d
              lag: 6h
            source:
              table: public.customers
              key_columns: [customer_id]
              timestamp_column: event_time
            model: churn@champion
            output:
              table: scored.churn
            """);
        File.WriteAllText(Path.Combine(Folder, LiveJob + ".yaml"), $"""
            name: {LiveJob}
            source:
              table: public.customers
              key_columns: [customer_id]
            model: churn@2
            output:
              table: scored.churn_hourly
            """);
        File.WriteAllText(Path.Combine(Folder, QueryJob + ".yaml"), $"""
            name: {QueryJob}
            source:
              query: "SELECT * FROM public.customers WHERE api_key <> '{QuerySecret}'"
              key_columns: [customer_id]
            model: churn@champion
            output:
              table: scored.from_query
            """);
        File.WriteAllText(Path.Combine(Folder, "broken.yaml"), "name: broken\nsource:\n  table: public.customers\n  key_columns: [customer_id]\nmodel: churn@champion\noutput:\n  tabel: scored.x\n");

        using (var host = await HostAsync())
            await host.Services.GetRequiredService<MigrationRunner>().ApplyAsync(CancellationToken.None);
        await SeedAsync();
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        Directory.Delete(Folder, recursive: true);
    }

    public IConfigurationRoot Configuration(params (string Key, string Value)[] overrides)
    {
        var settings = new Dictionary<string, string?>
        {
            ["ConnectionStrings:BatchScoring"] = new Npgsql.NpgsqlConnectionStringBuilder(ConnectionString) { Password = Password }.ConnectionString,
            ["Jobs:Directory"] = Folder,
            ["Models:Directory"] = Folder,
            ["Models:StoreDirectory"] = Path.Combine(Folder, "store"),
            ["Observability:MetricsAddress"] = "",
        };
        foreach (var (key, value) in overrides)
            settings[key] = value;
        return new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
    }

    public Task<IHost> HostAsync(params (string Key, string Value)[] overrides) => ServiceHost.BuildAsync(Configuration(overrides), CancellationToken.None);

    private async Task SeedAsync()
    {
        await using var connection = await DataSource.OpenConnectionAsync();
        var day = new DateTime(2026, 11, 20, 0, 0, 0, DateTimeKind.Utc);
        FinishedRun = await RunAsync(connection, Job, "schedule", "succeeded", day, 4, p => ("succeeded", null));
        FailedRun = await RunAsync(connection, Job, "backfill", "partially_failed", day.AddDays(1), 3,
            p => p == 1 ? ("failed", $"row 17: {Planted} could not be scored") : ("succeeded", null));
        await connection.ExecuteAsync(
            "INSERT INTO scoring.dead_letters (run_id, job_name, row_key, stage, reason) SELECT @run, @job, 'customer_id=' || i, 'score', 'income is NaN' FROM generate_series(1, 3) i",
            new { run = FailedRun, job = Job });

        var store = new DriftReportStore(DataSource);
        var reference = DriftTestData.Reference(2000, seed: 1);
        var quiet = await RunAsync(connection, Job, "manual", "succeeded", day.AddDays(2), 2, p => ("succeeded", null));
        await store.SaveAsync(quiet, DriftAnalyzer.Analyze(reference, DriftTestData.Current(reference, 1500, seed: 3, new Plant()), DriftSpec.Default, "model churn@1"), CancellationToken.None);
        DriftedRun = await RunAsync(connection, Job, "manual", "succeeded", day.AddDays(3), 2, p => ("succeeded", null));
        var drifted = DriftAnalyzer.Analyze(reference, DriftTestData.Current(reference, 1500, seed: 2, new Plant { AgeShift = 6, NewPlanShare = 0.2, IncomeScale = 1.4, TenureMissing = 0.12, NewPlanName = Planted }),
            DriftSpec.Default, "model churn@1");
        await store.SaveAsync(DriftedRun, drifted, CancellationToken.None);
        await connection.ExecuteAsync(
            """
            UPDATE scoring.runs SET challenger_name = 'churn', challenger_version = '2', shadow_rows = 2000,
                   shadow_label_agreement = 0.934, shadow_mean_abs_score_diff = 0.0412, shadow_score_correlation = 0.957
            WHERE run_id = @DriftedRun
            """, new { DriftedRun });

        BrokenRun = await RunAsync(connection, QueryJob, "schedule", "failed", day.AddDays(4), 0, p => ("pending", null));
        await TestRuns.FailAsync(DataSource, BrokenRun, "source query failed: permission denied for table customers");

        RunningRun = await RunAsync(connection, LiveJob, "manual", "running", null, 4,
            p => p switch { 0 or 1 => ("succeeded", null), 2 => ("running", null), _ => ("pending", null) });

        var registry = new ModelRegistry(DataSource, Path.Combine(Folder, "store"));
        var file = Path.Combine(Folder, "churn.zip");
        await File.WriteAllBytesAsync(file, [1, 2, 3]);
        var description = JsonSerializer.Serialize(new ModelDescription("mlnet", ModelTask.BinaryClassification,
            [new ModelPort("age", "Single", ""), new ModelPort("plan", "String", "")], [new ModelPort("Probability", "Single", "")], [], ["age", "plan"]), ModelCheck.Json);
        await registry.RegisterAsync("churn", file, ["champion"], "{\"auc\": 0.91}", description, CancellationToken.None);
        await registry.RegisterAsync("churn", file, ["challenger"], null, description, CancellationToken.None);
    }

    /// <summary>A run with <paramref name="partitions"/> partitions of 1,000 estimated rows, each in the state <paramref name="state"/> gives it.</summary>
    private static async Task<long> RunAsync(Npgsql.NpgsqlConnection connection, string job, string trigger, string status, DateTime? day, int partitions,
        Func<int, (string Status, string? Error)> state)
    {
        var finished = status != "running";
        var started = day ?? DateTime.UtcNow.AddSeconds(-60);
        var runId = await connection.ExecuteScalarAsync<long>(
            """
            INSERT INTO scoring.runs (job_name, trigger, status, window_start, window_end, model_name, model_version, created_at, started_at, finished_at, partitions_total)
            VALUES (@job, @trigger, @status, @day, @end, 'churn', '1', @started, @started, @finished, @partitions) RETURNING run_id
            """, new { job, trigger, status, day, end = day?.AddDays(1), started, finished = finished ? started.AddMinutes(3) : (DateTime?)null, partitions });
        for (var p = 0; p < partitions; p++)
        {
            var (partitionStatus, error) = state(p);
            var rows = partitionStatus == "succeeded" ? 1000 : 0;
            await connection.ExecuteAsync(
                """
                INSERT INTO scoring.partitions (run_id, partition_key, status, attempts, estimated_rows, rows_read, rows_scored, started_at, finished_at, last_error)
                VALUES (@runId, @key, @partitionStatus, @attempts, 1000, @rows, @rows, @startedAt, @finishedAt, @error)
                """,
                new
                {
                    runId, key = $"day=2026-11-20/bucket={p}", partitionStatus, attempts = partitionStatus == "pending" ? 0 : 1, rows,
                    startedAt = partitionStatus == "pending" ? (DateTime?)null : started.AddSeconds(p),
                    finishedAt = partitionStatus is "succeeded" or "failed" ? started.AddSeconds(10 + p * 5) : (DateTime?)null, error,
                });
        }
        if (finished)
        {
            await connection.ExecuteAsync(
                "UPDATE scoring.runs r SET rows_read = s.n, rows_scored = s.n, rows_failed = CASE WHEN r.status = 'partially_failed' THEN 3 ELSE 0 END FROM (SELECT coalesce(sum(rows_scored), 0) n FROM scoring.partitions WHERE run_id = @runId) s WHERE r.run_id = @runId",
                new { runId });
        }
        return runId;
    }
}
