using Dapper;

namespace BatchScoring.IntegrationTests.Operations;

/// <summary>Planning a run touches nothing: the output table appears only when a run starts.</summary>
public class DryRunTests(ScoringEnvironment env) : IClassFixture<ScoringEnvironment>
{
    private const string Job = """
        name: planned
        source:
          table: public.customers
          key_columns: [customer_id]
          timestamp_column: event_time
        partitioning:
          grain: 7d
        model:
          path: churn.zip
        output:
          table: scored_planned.churn
        """;

    private Dictionary<string, string> Environment() => new()
    {
        ["ConnectionStrings__BatchScoring"] = env.ConnectionString,
        ["Jobs__Directory"] = env.Folder,
        ["Models__Directory"] = env.Folder,
        ["Observability__MetricsAddress"] = "",
    };

    [Fact]
    public async Task Backfill_dry_run_prints_the_plan_and_creates_no_table_and_a_real_backfill_creates_it()
    {
        env.WriteJob("planned", Job);
        string[] backfill = ["backfill", "planned", "--from", "2026-09-01", "--to", "2026-10-13"];
        await using var connection = await env.DataSource.OpenConnectionAsync();

        var dryRun = await CliRun.RunAsync(env.Folder, [.. backfill, "--dry-run"], Environment());

        Assert.True(dryRun.ExitCode == 0, $"dry run exited {dryRun.ExitCode}:\n{dryRun.Stdout}\n{dryRun.Stderr}");
        Assert.Matches(@"[1-9]\d* partitions, ~[\d,]+ rows \(dry run: nothing scored\)", dryRun.Stdout);
        Assert.Null(await connection.ExecuteScalarAsync<string?>("SELECT to_regclass('scored_planned.churn')::text"));
        Assert.Equal(0, await connection.ExecuteScalarAsync<long>(
            "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'scored_planned'"));
        Assert.Equal(0, await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM scoring.runs WHERE job_name = 'planned'"));

        var run = await CliRun.RunAsync(env.Folder, backfill, Environment());

        Assert.True(run.ExitCode == 0, $"backfill exited {run.ExitCode}:\n{run.Stdout}\n{run.Stderr}");
        Assert.Equal(ScoringEnvironment.SourceRows, await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM scored_planned.churn"));
    }

    [Fact]
    public async Task A_dry_run_reads_bare_dates_in_the_jobs_zone_and_prints_the_range_in_that_zone_and_UTC_with_the_partition_count()
    {
        env.WriteJob("planned-berlin", Job.Replace("name: planned", "name: planned-berlin", StringComparison.Ordinal)
            .Replace("grain: 7d", "grain: 1d", StringComparison.Ordinal) + """

            schedule:
              cron: "0 0 3 * * ?"
              timezone: Europe/Berlin
            """);

        var dryRun = await CliRun.RunAsync(env.Folder, ["backfill", "planned-berlin", "--from", "2026-10-01", "--to", "2026-10-27", "--dry-run"], Environment());

        Assert.True(dryRun.ExitCode == 0, $"dry run exited {dryRun.ExitCode}:\n{dryRun.Stdout}\n{dryRun.Stderr}");
        var lines = dryRun.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var partitions = lines.Length - 2;
        Assert.Equal("Backfill of planned-berlin: [2026-10-01T00:00+02:00, 2026-10-27T00:00+01:00) Europe/Berlin = " +
            $"[2026-09-30T22:00Z, 2026-10-26T23:00Z) UTC, {partitions} partitions", lines[0]);
        Assert.StartsWith($"{partitions} partitions", lines[^1]);
        Assert.True(partitions >= 26, $"{partitions} partitions for 26 local days");
    }
}
