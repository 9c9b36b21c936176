using BatchScoring.Testing;
using Dapper;

namespace BatchScoring.IntegrationTests.Operations;

/// <summary>Read verbs never migrate: on a database without the schema they say to migrate, and leave it as it is.</summary>
public class UnmigratedDatabaseTests(PostgresDatabase database) : IClassFixture<PostgresDatabase>
{
    [Theory]
    [InlineData("runs")]
    [InlineData("runs", "show", "1")]
    [InlineData("jobs", "list")]
    [InlineData("models", "list")]
    [InlineData("report", "1", "-o", "-")]
    public async Task A_read_verb_on_an_empty_database_is_one_line_saying_to_migrate_and_creates_no_schema(params string[] verb)
    {
        var folder = Directory.CreateTempSubdirectory("batchscoring-unmigrated-");
        var environment = new Dictionary<string, string>
        {
            ["ConnectionStrings__BatchScoring"] = database.ConnectionString,
            ["Jobs__Directory"] = folder.FullName,
            ["Observability__MetricsAddress"] = "",
            ["BATCHSCORING_COMMAND"] = "/opt/tools/batchscoring",
        };

        var result = await CliRun.RunAsync(folder.FullName, verb, environment);
        folder.Delete(recursive: true);

        // The suggested command is the one the user ran (here as the repository's script sets it), so it works where they are.
        result.AssertOneLineError(2, "run `/opt/tools/batchscoring migrate` first");
        await using var connection = await database.DataSource.OpenConnectionAsync();
        Assert.Null(await connection.ExecuteScalarAsync<string?>("SELECT to_regnamespace('scoring')::text"));
    }
}
