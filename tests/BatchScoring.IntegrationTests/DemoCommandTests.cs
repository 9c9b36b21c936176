using System.Text.RegularExpressions;
using BatchScoring.Testing;
using Dapper;

namespace BatchScoring.IntegrationTests;

public partial class DemoCommandTests(PostgresDatabase database) : IClassFixture<PostgresDatabase>
{
    [Fact]
    public async Task Demo_as_a_process_tells_the_story_from_registry_to_drift_report_and_a_second_demo_reuses_everything()
    {
        var folder = Directory.CreateTempSubdirectory("batchscoring-demo-").FullName;
        try
        {
            var environment = new Dictionary<string, string>
            {
                ["ConnectionStrings__BatchScoring"] = database.ConnectionString,
                ["Demo__Rows"] = "20000",
                ["Demo__ReportDirectory"] = Path.Combine(folder, "reports"),
                ["Models__Directory"] = Path.Combine(folder, "models"),
                ["Models__StoreDirectory"] = Path.Combine(folder, "models", "store"),
                ["Jobs__Directory"] = Path.Combine(folder, "jobs"),
                ["Observability__MetricsAddress"] = "",
                [Worker.Cli.CliCommand.ScriptVariable] = "/opt/demo/batchscoring",
            };
            var run = await Operations.CliRun.RunAsync(folder, ["demo"], environment);

            Assert.True(run.ExitCode == 0, $"demo exited {run.ExitCode}:\n{run.Stdout}\n{run.Stderr}");
            Assert.Contains("Model demo-churn@1 (champion) is registered with a drift reference", run.Stdout);
            var reportPath = ReportLine().Match(run.Stdout).Groups["path"].Value.Trim();
            Assert.StartsWith(Path.Combine(folder, "reports", "drift-run-"), reportPath);
            var html = await File.ReadAllTextAsync(reportPath);
            Assert.Contains("monthly_charges", html);
            Assert.Contains("payment_method", html);
            // The new payment method by name, not only as "(other)".
            Assert.Contains("new categories (not in the reference)</dt><dd>digital-wallet: ", html);
            var drift = DriftLine().Matches(run.Stdout)[^1].Value;
            Assert.Contains("monthly_charges", drift);
            Assert.Contains("payment_method", drift);
            Assert.Contains("no drift", DriftLine().Matches(run.Stdout)[0].Value);

            var shown = run.Stdout.Split('\n').SkipWhile(l => !l.Contains("most likely to churn", StringComparison.Ordinal)).Skip(2)
                .TakeWhile(l => l.Trim().Length > 0).ToArray();
            Assert.Equal(5, shown.Length);
            Assert.All(shown, l => Assert.Matches(@"^\s+\d+\s+\d+\.\d{2}\s+\S+\s+0\.\d{3}\s+(true|false)\s*$", l));

            foreach (var next in new[] { "runs show ", "report ", "backfill demo-churn --from 2026-09-01 --to 2026-09-15 --dry-run", "worker" })
                Assert.Contains("/opt/demo/batchscoring " + next, run.Stdout);
            Assert.Contains("PGOPTIONS='-c role=batchscoring_analyst' psql -h ", run.Stdout);
            var runId = RunsShowLine().Match(run.Stdout).Groups["id"].Value;
            foreach (var next in new[] { $"runs show {runId}", "backfill demo-churn --from 2026-09-01 --to 2026-09-15 --dry-run" })
            {
                var tried = await Operations.CliRun.RunAsync(folder, next.Split(' '), environment);
                Assert.True(tried.ExitCode == 0, $"{next} exited {tried.ExitCode}:\n{tried.Stdout}\n{tried.Stderr}");
            }

            await using (var connection = await database.DataSource.OpenConnectionAsync())
            {
                await connection.ExecuteAsync("SET ROLE batchscoring_analyst");
                Assert.Equal(25_000, await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM scored.churn_predictions"));
                Assert.Equal(25_000, await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM demo.customers"));
                Assert.Equal(0, await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM scored.churn_predictions WHERE probability IS NULL"));
                await connection.ExecuteAsync("RESET ROLE");
            }

            var again = await Operations.CliRun.RunAsync(folder, ["demo"], environment);
            Assert.True(again.ExitCode == 0, $"second demo exited {again.ExitCode}:\n{again.Stdout}\n{again.Stderr}");
            Assert.Contains("Reusing 20000 + 5000 drifted rows", again.Stderr);
            Assert.DoesNotContain("Trained", again.Stderr);
            Assert.Contains("Model demo-churn@1 (champion)", again.Stdout);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>Runs the real <c>batchscoring</c> executable (built next to this test assembly).</summary>
    internal static async Task<(int ExitCode, string Output)> RunCliAsync(string workingDirectory, string[] arguments, Dictionary<string, string> environment)
    {
        var run = await Operations.CliRun.RunAsync(workingDirectory, arguments, environment);
        return (run.ExitCode, run.Stdout + run.Stderr);
    }

    [GeneratedRegex(@"^\s+report\s+(?<path>\S.*)$", RegexOptions.Multiline)]
    private static partial Regex ReportLine();

    [GeneratedRegex(@"batchscoring runs show (?<id>\d+)")]
    private static partial Regex RunsShowLine();

    [GeneratedRegex(@"^\s+drift\s+.*$", RegexOptions.Multiline)]
    private static partial Regex DriftLine();
}
