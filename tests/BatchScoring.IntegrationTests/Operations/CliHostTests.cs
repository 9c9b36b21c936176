using BatchScoring.Testing;
using BatchScoring.Worker.Cli;
using Dapper;
using Microsoft.Extensions.Configuration;
using Npgsql;

namespace BatchScoring.IntegrationTests.Operations;

/// <summary><c>run</c>'s start-up: work that needs no table of the schema (its job and model files) runs while the schema is migrated.</summary>
public sealed class CliHostTests(PostgresDatabase database) : IClassFixture<PostgresDatabase>
{
    private static IConfigurationRoot Configuration(string connectionString) => new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
    {
        ["ConnectionStrings:BatchScoring"] = connectionString,
    }).Build();

    [Fact]
    public async Task The_work_s_result_or_error_comes_back_with_the_migrated_host()
    {
        var (host, result) = await CliHost.MigratedAsync(Configuration(database.ConnectionString), _ => Task.FromResult(42), CancellationToken.None);
        using (host)
        {
            Assert.Equal(42, result);
            await using var connection = new NpgsqlConnection(database.ConnectionString);
            Assert.True(await connection.ExecuteScalarAsync<bool>("SELECT to_regclass('scoring.runs') IS NOT NULL"));
        }

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => CliHost.MigratedAsync<int>(Configuration(database.ConnectionString),
            _ => throw new InvalidOperationException("the job file is broken"), CancellationToken.None));
        Assert.Equal("the job file is broken", error.Message);
    }

    [Fact]
    public async Task A_database_that_cannot_be_reached_is_the_error_even_when_the_work_fails_too()
    {
        var unreachable = new NpgsqlConnectionStringBuilder(database.ConnectionString) { Port = 1, Timeout = 2 }.ConnectionString;

        var error = await Assert.ThrowsAnyAsync<Exception>(() => CliHost.MigratedAsync<int>(Configuration(unreachable),
            _ => throw new InvalidOperationException("the job file is broken"), CancellationToken.None));

        Assert.DoesNotContain("the job file is broken", error.Message);
    }
}
