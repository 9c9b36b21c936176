using BatchScoring.Core.Errors;
using BatchScoring.Core.Jobs;
using BatchScoring.Core.Planning;
using BatchScoring.Postgres.Sources;
using Dapper;
using Npgsql;

namespace BatchScoring.IntegrationTests.Operations;

public class InputSafetyTests(ScoringEnvironment env) : IClassFixture<ScoringEnvironment>
{
    [Fact]
    public void A_job_file_whose_table_name_tries_SQL_injection_is_rejected_naming_the_file_and_key()
    {
        OperationsHelpers.WriteChurnJob(env, "injected", "\"public.customers; DROP TABLE scoring.runs; --\"", "scored.injected");

        var e = Assert.Throws<JobSpecException>(() => JobSpecLoader.LoadByName(env.Folder, "injected"));

        Assert.Contains("injected.yaml", e.Message);
        Assert.Contains("source.table", e.Message);
        Assert.Contains("invalid SQL identifier", e.Message);
    }

    [Fact]
    public async Task A_source_query_that_tries_to_write_is_refused_by_PostgreSQL_and_nothing_changes()
    {
        await using var connection = await env.DataSource.OpenConnectionAsync();
        await connection.ExecuteAsync("""
            CREATE TABLE public.precious AS SELECT customer_id FROM public.customers;
            CREATE FUNCTION public.wipe_precious() RETURNS bigint LANGUAGE sql VOLATILE AS 'DELETE FROM public.precious RETURNING 1';
            """);
        var source = PostgresRelationSource.ForQuery(env.DataSource, new PostgresQuerySourceSpec(
            "SELECT customer_id, public.wipe_precious() AS wiped FROM public.customers", ["customer_id"]));

        // Planning counts the query's rows: PostgreSQL runs it, and its write, in the READ ONLY transaction.
        var e = await Assert.ThrowsAsync<BatchScoringException>(() => source.PlanAsync(null, PartitioningSpec.Default, CancellationToken.None));

        Assert.Equal(PostgresErrorCodes.ReadOnlySqlTransaction, Assert.IsType<PostgresException>(e.InnerException).SqlState);
        Assert.Contains("source query", e.Message);
        Assert.Contains("cannot execute DELETE in a read-only transaction", e.Message);
        Assert.Equal(ScoringEnvironment.SourceRows, await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM public.precious"));
    }
}
