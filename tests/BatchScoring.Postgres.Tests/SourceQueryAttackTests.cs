using BatchScoring.Core.Errors;
using BatchScoring.Core.Jobs;
using BatchScoring.Core.Scoring;
using BatchScoring.Postgres.Sources;
using BatchScoring.Testing;
using Dapper;

namespace BatchScoring.Postgres.Tests;

/// <summary>The query-source attacks of the audit (issue 13, finding 5): each is refused before it runs, and nothing of it happens.</summary>
public class SourceQueryAttackTests(PostgresDatabase database) : IClassFixture<PostgresDatabase>
{
    private const string Job = "attack-job";

    [Theory]
    [InlineData("SELECT * FROM t) AS q; COMMIT; DROP TABLE public.victim; SELECT * FROM (SELECT * FROM t")]
    [InlineData("SELECT * FROM t) AS q; ROLLBACK; DELETE FROM public.victim; SELECT * FROM (SELECT * FROM t")]
    [InlineData("SELECT * FROM t; DROP TABLE public.victim")]
    [InlineData("WITH d AS (DELETE FROM public.victim RETURNING *) SELECT * FROM d")]
    [InlineData("DELETE FROM public.victim RETURNING *")]
    public async Task A_query_that_would_write_is_refused_and_the_victim_is_intact(string query)
    {
        await SetUpAsync();
        await AssertRefusedAsync(query);
        await using var connection = await database.DataSource.OpenConnectionAsync();
        Assert.Equal(3, await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM public.victim"));
    }

    [Fact]
    public async Task Set_role_does_not_take_effect()
    {
        await SetUpAsync();
        await using var connection = await database.DataSource.OpenConnectionAsync();
        var user = await connection.ExecuteScalarAsync<string>("SELECT current_user");
        await connection.ExecuteAsync("DO $$ BEGIN CREATE ROLE batchscoring_attack_role; EXCEPTION WHEN duplicate_object THEN NULL; END $$");

        await AssertRefusedAsync("SELECT * FROM t) AS q; SET ROLE batchscoring_attack_role; SELECT * FROM (SELECT * FROM t");
        await AssertRefusedAsync("SELECT set_config('role', 'batchscoring_attack_role', false) AS r, * FROM t");
        await AssertRefusedAsync("SELECT * FROM t WHERE set_config('role', 'batchscoring_attack_role', false) IS NOT NULL");

        // The pool hands back the same server sessions the attacks used.
        for (var i = 0; i < 3; i++)
        {
            await using var again = await database.DataSource.OpenConnectionAsync();
            Assert.Equal(user, await again.ExecuteScalarAsync<string>("SELECT current_user"));
        }
    }

    [Fact]
    public async Task Another_session_survives_pg_terminate_backend_and_pg_cancel_backend()
    {
        await SetUpAsync();
        await using var other = await database.DataSource.OpenConnectionAsync();
        var pid = other.ProcessID;

        await AssertRefusedAsync($"SELECT pg_terminate_backend({pid}) AS killed, * FROM t");
        await AssertRefusedAsync($"SELECT * FROM t, pg_terminate_backend({pid}) AS killed");
        await AssertRefusedAsync($"SELECT * FROM t WHERE pg_cancel_backend({pid})");

        Assert.Equal(1, await other.ExecuteScalarAsync<int>("SELECT 1"));
    }

    [Theory]
    [InlineData("SELECT set_config('statement_timeout', '0', false) AS s, * FROM t", "set_config")]
    [InlineData("SELECT lo_import('/etc/hostname') AS o, * FROM t", "lo_import")]
    [InlineData("SELECT lo_create(0) AS o, * FROM t", "lo_create")]
    [InlineData("SELECT lo_export(0, '/tmp/batchscoring-attack') AS o, * FROM t", "lo_export")]
    [InlineData("SELECT pg_advisory_lock(1) AS l, * FROM t", "pg_advisory_lock")]
    public async Task A_function_with_side_effects_is_refused_by_name(string query, string function)
    {
        await SetUpAsync();
        var e = await AssertRefusedAsync(query);
        Assert.Contains(function, e.Message);
        await using var connection = await database.DataSource.OpenConnectionAsync();
        Assert.Equal(0, await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM pg_largeobject_metadata"));
    }

    [Theory]
    [InlineData("SELECT id, x FROM t -- a trailing comment")]
    [InlineData("SELECT id, x FROM t --) AS q; DROP TABLE public.victim; SELECT * FROM (SELECT * FROM t")]
    [InlineData("WITH w AS (SELECT id, x FROM t) SELECT * FROM w;")]
    [InlineData("SELECT id, x, 'a;b' AS s FROM t /* ; DROP TABLE public.victim */")]
    public async Task An_ordinary_select_still_reads(string query)
    {
        await SetUpAsync();
        var source = PostgresRelationSource.ForQuery(database.DataSource, new PostgresQuerySourceSpec(query, ["id"]), new SourceLimits(Job, TimeSpan.FromSeconds(10)));
        var columns = await source.DescribeAsync(CancellationToken.None);
        var rows = 0;
        await foreach (var batch in source.ReadAsync(columns, PartitionBounds.Everything, 100, CancellationToken.None))
            rows += batch.Count;
        Assert.Equal(5, rows);
    }

    private async Task<BatchScoringException> AssertRefusedAsync(string query)
    {
        var source = PostgresRelationSource.ForQuery(database.DataSource, new PostgresQuerySourceSpec(query, ["id"]), new SourceLimits(Job, TimeSpan.FromSeconds(10)));
        var e = await Assert.ThrowsAsync<BatchScoringException>(async () =>
        {
            var columns = await source.DescribeAsync(CancellationToken.None);
            await foreach (var _ in source.ReadAsync(columns, PartitionBounds.Everything, 100, CancellationToken.None))
            {
            }
        });
        Assert.Contains(Job, e.Message);
        Assert.DoesNotContain('\n', e.Message);
        return e;
    }

    private async Task SetUpAsync()
    {
        await using var connection = await database.DataSource.OpenConnectionAsync();
        await connection.ExecuteAsync("""
            CREATE TABLE IF NOT EXISTS t AS SELECT g::bigint AS id, g AS x FROM generate_series(1, 5) g;
            DROP TABLE IF EXISTS public.victim;
            CREATE TABLE public.victim AS SELECT g AS v FROM generate_series(1, 3) g;
            """);
    }
}
