using BatchScoring.Postgres.Migrations;
using BatchScoring.Testing;
using Dapper;
using Microsoft.Extensions.Logging.Abstractions;

namespace BatchScoring.Postgres.Tests;

public class MigrationRunnerTests(PostgresDatabase database) : IClassFixture<PostgresDatabase>
{
    private MigrationRunner Runner => new(database.DataSource, NullLogger<MigrationRunner>.Instance);

    [Fact]
    public async Task Applies_every_script_once_and_a_second_apply_changes_nothing()
    {
        var first = await Runner.ApplyAsync(CancellationToken.None);
        Assert.Equal(MigrationScript.All.Select(s => s.Version), first);
        Assert.True(first.Count >= 4);

        await using var connection = await database.DataSource.OpenConnectionAsync();
        var tables = (await connection.QueryAsync<string>(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'scoring'")).ToHashSet();
        Assert.Superset(new HashSet<string> { "schema_migrations", "runs", "partitions", "models", "dead_letters" }, tables);
        var recordedBefore = await connection.QueryAsync<(string, DateTime)>("SELECT version, applied_at FROM scoring.schema_migrations ORDER BY version");

        var second = await Runner.ApplyAsync(CancellationToken.None);
        Assert.Empty(second);
        Assert.Empty(await Runner.PendingAsync(CancellationToken.None));
        var recordedAfter = await connection.QueryAsync<(string, DateTime)>("SELECT version, applied_at FROM scoring.schema_migrations ORDER BY version");
        Assert.Equal(recordedBefore, recordedAfter);
    }

    [Fact]
    public async Task An_applied_script_that_was_edited_is_refused()
    {
        await Runner.ApplyAsync(CancellationToken.None);
        await using var connection = await database.DataSource.OpenConnectionAsync();
        await connection.ExecuteAsync("UPDATE scoring.schema_migrations SET checksum = 'edited' WHERE version = (SELECT min(version) FROM scoring.schema_migrations)");
        try
        {
            var e = await Assert.ThrowsAsync<InvalidOperationException>(() => Runner.ApplyAsync(CancellationToken.None));
            Assert.Contains("was changed after it was applied", e.Message);
        }
        finally
        {
            await connection.ExecuteAsync(
                "UPDATE scoring.schema_migrations SET checksum = @Checksum WHERE version = @Version", MigrationScript.All[0]);
        }
    }
}
