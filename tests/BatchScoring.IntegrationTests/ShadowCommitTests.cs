using BatchScoring.Core.Jobs;
using BatchScoring.Core.Runs;
using BatchScoring.Worker.Execution;
using Dapper;
using Microsoft.Extensions.DependencyInjection;

namespace BatchScoring.IntegrationTests;

public class ShadowCommitTests(ModelsEnvironment env) : IClassFixture<ModelsEnvironment>
{
    private const string JobName = "shadow-commit-fails";

    [Fact]
    public async Task When_the_partition_commit_fails_neither_shadow_rows_nor_output_rows_are_kept()
    {
        using var host = await env.MigratedHostAsync();
        await using var connection = await env.DataSource.OpenConnectionAsync();
        // Raised at COMMIT, after every row of the partition (output and shadow) has been written in its transaction.
        await connection.ExecuteAsync($"""
            CREATE FUNCTION public.fail_commit() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                IF EXISTS (SELECT 1 FROM scoring.runs WHERE run_id = NEW.run_id AND job_name = '{JobName}') THEN
                    RAISE EXCEPTION 'the test fails the commit of partition %', NEW.partition_id;
                END IF;
                RETURN NULL;
            END $$;
            CREATE CONSTRAINT TRIGGER fail_commit AFTER UPDATE ON scoring.partitions DEFERRABLE INITIALLY DEFERRED
                FOR EACH ROW WHEN (NEW.status = 'succeeded') EXECUTE FUNCTION public.fail_commit();
            """);
        try
        {
            var job = ModelsEnvironment.Job(JobName, "scored.shadow_commit", "churn.zip", "churn-challenger.zip")
                with { Retries = new RetryPolicy(1, TimeSpan.Zero, 0, TimeSpan.Zero) };
            var outcome = await host.Services.GetRequiredService<JobRunner>().RunAsync(job, RunTrigger.Manual, CancellationToken.None);

            Assert.Equal(RunStatus.Failed, outcome.Status);
            var errors = await connection.QueryAsync<string>("SELECT last_error FROM scoring.partitions WHERE run_id = @RunId", new { outcome.RunId });
            Assert.All(errors, e => Assert.Contains("the test fails the commit", e));
            Assert.Equal(0, await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM scored.shadow_commit_shadow"));
            Assert.Equal(0, await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM scored.shadow_commit"));
        }
        finally
        {
            await connection.ExecuteAsync("DROP TRIGGER fail_commit ON scoring.partitions; DROP FUNCTION public.fail_commit();");
        }
    }
}
