using BatchScoring.Core.Jobs;
using BatchScoring.Core.Sql;
using BatchScoring.Testing;

namespace BatchScoring.Core.Tests.Jobs;

public class JobSpecParsingTests
{
    [Fact]
    public void Every_key_of_the_full_example_is_read()
    {
        var job = JobSpecLoader.LoadFile(Path.Combine(AppContext.BaseDirectory, "Jobs", "full-job.yaml"));

        Assert.Equal("churn-daily", job.Name);
        Assert.Equal(new ScheduleSpec("0 30 2 * * ?", "Europe/Berlin", MisfirePolicy.Skip), job.Schedule);
        var source = Assert.IsType<PostgresQuerySourceSpec>(job.Source);
        Assert.StartsWith("SELECT c.customer_id", source.Query);
        Assert.Equal("updated_at", source.TimestampColumn);
        Assert.Equal(new WindowSpec(TimeSpan.FromDays(1), TimeSpan.FromHours(2)), job.Window);
        Assert.Equal(new PartitioningSpec(TimeSpan.FromHours(6), 8), job.Partitioning);
        Assert.Equal("churn@champion", job.Model.Champion.ToString());
        Assert.Equal("churn@challenger", job.Model.Challenger!.ToString());
        Assert.Equal("tenure_months", job.FeatureMapping["tenure"]);
        Assert.Equal(OutputMode.Append, job.Output.Mode);
        Assert.Equal(["plan"], job.Output.Passthrough);
        Assert.Equal(SqlIdentifier.Parse("scored.churn_daily_shadow"), job.Output.ShadowTable);
        Assert.Equal("exports/churn", job.Output.ParquetFolder);
        Assert.Equal(new DateTime(2024, 2, 1, 0, 0, 0, DateTimeKind.Utc), job.Drift.Reference.WindowEnd);
        Assert.Equal(0.01, job.Drift.PValueThreshold);
        Assert.Equal(0.3, job.Drift.DriftedShareThreshold);
        Assert.Equal(new FeatureDriftOverride(DriftMethod.Wasserstein, 0.15), job.Drift.Features["tenure"]);
        Assert.Equal(new FeatureDriftOverride(DriftMethod.ChiSquared, null), job.Drift.Features["plan"]);
        Assert.Equal(new ErrorPolicy(50, 0.5), job.Errors);
        Assert.Equal(new RetryPolicy(5, TimeSpan.FromSeconds(10), 0.1, TimeSpan.FromMinutes(10)), job.Retries);
        Assert.Equal(TimeSpan.FromHours(2), job.Timeout);
        Assert.Equal(TimeSpan.FromMinutes(20), job.PartitionTimeout);
        Assert.Equal(4, job.Concurrency);
    }

    [Fact]
    public void An_output_may_be_a_parquet_folder_alone()
    {
        var job = JobSpecLoader.Parse("""
            name: churn
            source: { parquet: data/customers/, key_columns: customer_id }
            model: churn@7
            output: { parquet_folder: exports/churn }
            """, "jobs/churn.yaml");

        Assert.Null(job.Output.Table);
        Assert.Equal("exports/churn", job.Output.ParquetFolder);
        Assert.Equal("exports/churn", job.Output.Destination);
    }

    [Fact]
    public void Omitted_sections_take_their_defaults()
    {
        var job = JobSpecLoader.Parse("""
            name: churn
            source: { parquet: data/customers/, key_columns: customer_id }
            model: churn@7
            output: { table: churn_scores }
            """, "jobs/churn.yaml");

        Assert.True(job.Enabled);
        Assert.Null(job.Schedule);
        Assert.Equal("data/customers/", Assert.IsType<ParquetSourceSpec>(job.Source).Path);
        Assert.Equal(7, job.Model.Champion.Version);
        Assert.Same(WindowSpec.WholeSource, job.Window);
        Assert.Same(PartitioningSpec.Default, job.Partitioning);
        Assert.Same(DriftSpec.Default, job.Drift);
        Assert.Same(RetryPolicy.Default, job.Retries);
        Assert.Equal(OutputMode.Upsert, job.Output.Mode);
        Assert.Equal(OutputReplace.Run, job.Output.Replace);
        Assert.True(job.Output.ReplaceIsDefault);
    }

    [Theory]
    [InlineData("source: { table: public.customers, key_columns: customer_id }", "{ table: churn_scores }", OutputReplace.Run)]
    [InlineData("source: { table: public.customers, key_columns: customer_id, timestamp_column: event_time }", "{ table: churn_scores }", OutputReplace.Partition)]
    [InlineData("source: { table: public.customers, key_columns: customer_id }", "{ table: churn_scores, skip_unchanged: true }", OutputReplace.Partition)]
    [InlineData("source: { table: public.customers, key_columns: customer_id }", "{ table: churn_scores, key_columns: [segment] }", OutputReplace.Partition)]
    [InlineData("source: { table: public.customers, key_columns: customer_id }", "{ table: churn_scores, key_columns: [customer_id] }", OutputReplace.Run)]
    [InlineData("source: { table: public.customers, key_columns: customer_id }", "{ parquet_folder: out/ }", OutputReplace.Partition)]
    public void Output_replace_defaults_to_run_only_for_an_upsert_table_of_a_job_that_always_scores_its_whole_source(string source, string output, OutputReplace expected)
    {
        var job = JobSpecLoader.Parse($"""
            name: churn
            {source}
            model: churn@7
            output: {output}
            """, "jobs/churn.yaml");

        Assert.Equal(expected, job.Output.Replace);
        Assert.True(job.Output.ReplaceIsDefault);
    }

    [Fact]
    public void Output_replace_key_is_read()
    {
        var job = JobSpecLoader.Parse("""
            name: churn
            source: { table: public.customers, key_columns: customer_id }
            model: churn@7
            output: { table: churn_scores, replace: key }
            """, "jobs/churn.yaml");
        Assert.Equal(OutputReplace.Key, job.Output.Replace);
        Assert.False(job.Output.ReplaceIsDefault);
        Assert.False(job.Output.SkipUnchanged);
    }

    [Fact]
    public void Output_replace_run_is_read()
    {
        var job = JobSpecLoader.Parse("""
            name: churn
            source: { table: public.customers, key_columns: customer_id }
            model: churn@7
            output: { table: churn_scores, replace: run }
            """, "jobs/churn.yaml");
        Assert.Equal(OutputReplace.Run, job.Output.Replace);
    }

    [Fact]
    public void Output_skip_unchanged_is_read()
    {
        var job = JobSpecLoader.Parse("""
            name: churn
            source: { table: public.customers, key_columns: customer_id }
            model: churn@7
            output: { table: churn_scores, skip_unchanged: true }
            """, "jobs/churn.yaml");
        Assert.True(job.Output.SkipUnchanged);
    }

    [Fact]
    public void The_demo_job_parses_unchanged()
    {
        var job = JobSpecLoader.LoadFile(Path.Combine(RepositoryRoot.Path, "jobs", "demo-churn.yaml"));
        Assert.Equal("demo-churn", job.Model.Champion.Name);
        Assert.Equal("champion", job.Model.Champion.Alias);
        Assert.Equal("scored.churn_predictions", job.Output.Table?.ToString());
    }
}
