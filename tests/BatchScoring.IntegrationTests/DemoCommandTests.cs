using BatchScoring.Testing;
using Dapper;

namespace BatchScoring.IntegrationTests;

public class DemoCommandTests(PostgresDatabase database) : IClassFixture<PostgresDatabase>
{
    [Fact]
    public async Task Demo_run_as_a_process_exits_0_and_fills_the_scored_table()
    {
        var folder = Directory.CreateTempSubdirectory("batchscoring-demo-").FullName;
        try
        {
            var (exitCode, output) = await RunCliAsync(folder, ["demo"], new()
            {
                ["ConnectionStrings__BatchScoring"] = database.ConnectionString,
                ["Demo__Rows"] = "20000",
                ["Models__Directory"] = Path.Combine(folder, "models"),
                ["Jobs__Directory"] = Path.Combine(folder, "jobs"),
            });

            Assert.True(exitCode == 0, $"demo exited {exitCode}:\n{output}");
            Assert.Contains("succeeded", output);
            Assert.Contains("psql", output);
            Assert.True(File.Exists(Path.Combine(folder, "models", "demo-churn.zip")));
            await using var connection = await database.DataSource.OpenConnectionAsync();
            Assert.Equal(20_000, await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM scored.churn_predictions"));
            Assert.Equal(0, await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM scored.churn_predictions WHERE probability IS NULL"));
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
}
