using Dapper;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace BatchScoring.Postgres.Migrations;

/// <summary>
/// Applies the scripts of <c>sql/</c> in order, each in its own transaction, and records them in
/// <c>scoring.schema_migrations</c>. An advisory lock serialises workers that start together;
/// an applied script whose text changed since is refused, because old scripts must never be edited.
/// </summary>
public sealed class MigrationRunner(NpgsqlDataSource dataSource, ILogger<MigrationRunner> logger)
{
    private const long AdvisoryLockKey = 0x5C0_12E_D0B;

    private const string CreateLedgerSql = """
        CREATE SCHEMA IF NOT EXISTS scoring;
        CREATE TABLE IF NOT EXISTS scoring.schema_migrations (
            version    text PRIMARY KEY,
            checksum   text NOT NULL,
            applied_at timestamptz NOT NULL DEFAULT now()
        );
        """;

    public async Task<IReadOnlyList<string>> ApplyAsync(CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition("SELECT pg_advisory_lock(@key)", new { key = AdvisoryLockKey }, cancellationToken: cancellationToken));
        try
        {
            await connection.ExecuteAsync(new CommandDefinition(CreateLedgerSql, cancellationToken: cancellationToken));
            var applied = await AppliedAsync(connection, cancellationToken);
            var newlyApplied = new List<string>();
            foreach (var script in MigrationScript.All)
            {
                if (applied.TryGetValue(script.Version, out var checksum))
                {
                    if (checksum != script.Checksum)
                        throw new InvalidOperationException(
                            $"Migration sql/{script.Version}.sql was changed after it was applied to this database. " +
                            "Never edit an applied script: add a new numbered one instead.");
                    continue;
                }
                await ApplyOneAsync(connection, script, cancellationToken);
                newlyApplied.Add(script.Version);
            }
            if (newlyApplied.Count == 0)
                logger.LogInformation("Database schema is current ({Count} migrations applied)", applied.Count);
            return newlyApplied;
        }
        finally
        {
            await connection.ExecuteAsync("SELECT pg_advisory_unlock(@key)", new { key = AdvisoryLockKey });
        }
    }

    /// <summary>The embedded scripts not yet recorded in the database.</summary>
    public async Task<IReadOnlyList<string>> PendingAsync(CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var exists = await connection.ExecuteScalarAsync<bool>(new CommandDefinition(
            "SELECT to_regclass('scoring.schema_migrations') IS NOT NULL", cancellationToken: cancellationToken));
        var applied = exists ? await AppliedAsync(connection, cancellationToken) : [];
        return MigrationScript.All.Where(s => !applied.ContainsKey(s.Version)).Select(s => s.Version).ToArray();
    }

    private static async Task<Dictionary<string, string>> AppliedAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        var rows = await connection.QueryAsync<(string Version, string Checksum)>(new CommandDefinition(
            "SELECT version, checksum FROM scoring.schema_migrations", cancellationToken: cancellationToken));
        return rows.ToDictionary(r => r.Version, r => r.Checksum);
    }

    private async Task ApplyOneAsync(NpgsqlConnection connection, MigrationScript script, CancellationToken cancellationToken)
    {
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        try
        {
            await connection.ExecuteAsync(new CommandDefinition(script.Sql, transaction: transaction, cancellationToken: cancellationToken));
            await connection.ExecuteAsync(new CommandDefinition(
                "INSERT INTO scoring.schema_migrations (version, checksum) VALUES (@Version, @Checksum)",
                new { script.Version, script.Checksum }, transaction, cancellationToken: cancellationToken));
            await transaction.CommitAsync(cancellationToken);
        }
        catch (PostgresException e)
        {
            throw new InvalidOperationException($"Migration sql/{script.Version}.sql failed: {e.MessageText}", e);
        }
        logger.LogInformation("Applied migration {Migration}", script.Version);
    }
}
