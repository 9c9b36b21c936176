using Dapper;
using Npgsql;

namespace BatchScoring.Postgres.Registry;

/// <summary>What each registered version was found to be when it was registered (<c>scoring.models.description</c>: inputs, outputs, task…).</summary>
public sealed class ModelDescriptions(NpgsqlDataSource dataSource)
{
    /// <summary>The stored description JSON by model name and version; versions registered without one are left out.</summary>
    public Task<IReadOnlyDictionary<(string Name, int Version), string>> LoadAsync(CancellationToken cancellationToken) =>
        DatabaseCalls.RunAsync<IReadOnlyDictionary<(string Name, int Version), string>>(async () =>
        {
            await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
            var rows = await connection.QueryAsync<(string Name, int Version, string Description)>(new CommandDefinition(
                "SELECT name, version, description::text FROM scoring.models WHERE description IS NOT NULL",
                cancellationToken: cancellationToken));
            return rows.ToDictionary(r => (r.Name, r.Version), r => r.Description);
        });
}
