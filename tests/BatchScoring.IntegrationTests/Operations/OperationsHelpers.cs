using System.Net;
using BatchScoring.Postgres.Local;
using BatchScoring.Testing;
using Dapper;
using Microsoft.Extensions.Configuration;

namespace BatchScoring.IntegrationTests.Operations;

internal static class OperationsHelpers
{
    public const string ChurnJob = """
        name: {0}
        source:
          table: {1}
          key_columns: [customer_id]
        model:
          path: churn.zip
        output:
          table: {2}
        """;

    /// <summary>Writes a churn job file named <paramref name="name"/> reading <paramref name="source"/> into <paramref name="output"/>.</summary>
    public static void WriteChurnJob(ScoringEnvironment env, string name, string source, string output)
        => env.WriteJob(name, string.Format(System.Globalization.CultureInfo.InvariantCulture, ChurnJob, name, source, output));

    /// <summary>A copy of the customers table without the <c>contract</c> column the model needs: runs on it fail before any row is written.</summary>
    public static async Task CreateBrokenSourceAsync(PostgresDatabase database, string table)
    {
        await using var connection = await database.DataSource.OpenConnectionAsync();
        await connection.ExecuteAsync($"CREATE TABLE {table} AS SELECT * FROM public.customers; ALTER TABLE {table} DROP COLUMN contract");
    }

    /// <summary>The environment's configuration with <paramref name="overrides"/> winning, even over keys it sets itself.</summary>
    public static IConfigurationRoot Configuration(ScoringEnvironment env, params (string Key, string Value)[] overrides)
        => new ConfigurationBuilder()
            .AddConfiguration(env.Configuration())
            .AddInMemoryCollection(overrides.Select(o => KeyValuePair.Create(o.Key, (string?)o.Value)))
            .Build();

    public static string FreeLoopbackAddress() => $"http://127.0.0.1:{LocalPostgresCluster.FindFreePort()}";

    public static async Task<(HttpStatusCode Status, string Body)> GetAsync(string url)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        using var response = await http.GetAsync(url);
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    /// <summary>The repository root (where BatchScoring.sln is), found from the test's output folder.</summary>
    public static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "BatchScoring.sln")))
                return directory.FullName;
        }
        throw new InvalidOperationException($"No BatchScoring.sln above {AppContext.BaseDirectory}.");
    }
}
