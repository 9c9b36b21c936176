using System.Net;
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

    private static readonly System.Text.CompositeFormat ChurnJobFormat = System.Text.CompositeFormat.Parse(ChurnJob);

    /// <summary>The text of a churn job file named <paramref name="name"/> reading <paramref name="source"/> into <paramref name="output"/>.</summary>
    public static string ChurnJobText(string name, string source, string output)
        => string.Format(System.Globalization.CultureInfo.InvariantCulture, ChurnJobFormat, name, source, output);

    /// <summary>Writes <see cref="ChurnJobText"/> as the job file of <paramref name="name"/>.</summary>
    public static void WriteChurnJob(ScoringEnvironment env, string name, string source, string output)
        => env.WriteJob(name, ChurnJobText(name, source, output));

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

    public static string FreeLoopbackAddress() => $"http://127.0.0.1:{FreePort.OnLoopback()}";

    public static async Task<(HttpStatusCode Status, string Body)> GetAsync(string url)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        using var response = await http.GetAsync(url);
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }
}
