using BatchScoring.Postgres.Migrations;
using BatchScoring.Testing;
using Dapper;
using Microsoft.Extensions.Logging.Abstractions;

namespace BatchScoring.Postgres.Tests;

/// <summary>Analysts read the schema with <c>\d+</c>: every table, view and column of <c>scoring</c> has a comment.</summary>
public class SchemaCommentTests(PostgresDatabase database) : IClassFixture<PostgresDatabase>
{
    [Fact]
    public async Task Every_table_view_and_column_of_the_scoring_schema_has_a_comment()
    {
        await new MigrationRunner(database.DataSource, NullLogger<MigrationRunner>.Instance).ApplyAsync(CancellationToken.None);
        await using var connection = await database.DataSource.OpenConnectionAsync();

        var relations = (await connection.QueryAsync<(string Name, bool Commented)>("""
            SELECT c.relname, obj_description(c.oid, 'pg_class') IS NOT NULL
            FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname = 'scoring' AND c.relkind IN ('r', 'p', 'v', 'm')
            """)).ToList();
        var columns = (await connection.QueryAsync<string>("""
            SELECT c.relname || '.' || a.attname
            FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname = 'scoring' AND c.relkind IN ('r', 'p', 'v', 'm') AND a.attnum > 0 AND NOT a.attisdropped
              AND col_description(c.oid, a.attnum) IS NULL
            ORDER BY 1
            """)).ToList();

        Assert.Contains(relations, r => r.Name == "runs");
        var uncommented = relations.Where(r => !r.Commented).Select(r => r.Name).Concat(columns).ToList();
        Assert.True(uncommented.Count == 0, "No comment on: " + string.Join(", ", uncommented));
    }

    [Fact]
    public async Task Quartz_tables_live_in_their_own_schema_and_none_in_public()
    {
        await new MigrationRunner(database.DataSource, NullLogger<MigrationRunner>.Instance).ApplyAsync(CancellationToken.None);
        await using var connection = await database.DataSource.OpenConnectionAsync();

        var bySchema = (await connection.QueryAsync<(string Schema, int Tables)>(
            "SELECT table_schema, count(*)::int FROM information_schema.tables WHERE table_name LIKE 'qrtz\\_%' GROUP BY table_schema")).ToList();

        Assert.Equal([("quartz", 15)], bySchema);
    }
}
