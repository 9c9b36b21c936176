using BatchScoring.Core.Jobs;

namespace BatchScoring.Core.Tests.Jobs;

public class JobSpecLoaderTests
{
    private const string Valid = """
        name: churn
        source:
          table: public.customers
          key_columns: [customer_id]
        model:
          path: churn.zip
        output:
          table: scored.churn
        """;

    [Fact]
    public void Parses_a_minimal_job()
    {
        var job = JobSpecLoader.Parse(Valid, "jobs/churn.yaml");
        Assert.Equal("churn", job.Name);
        var source = Assert.IsType<PostgresTableSourceSpec>(job.Source);
        Assert.Equal("\"public\".\"customers\"", source.Table.Quoted);
        Assert.Equal(["customer_id"], job.Source.KeyColumns);
        Assert.Equal("churn.zip", job.Model.Champion.Path);
        Assert.Equal("scored.churn", job.Output.Table?.ToString());
    }

    [Fact]
    public void Unknown_key_names_file_line_and_column()
    {
        var e = Assert.Throws<JobSpecException>(() => JobSpecLoader.Parse(Valid + "\nschedul: daily\n", "jobs/churn.yaml"));
        Assert.Equal("jobs/churn.yaml", e.FilePath);
        Assert.Equal(9, e.Line);
        Assert.StartsWith("jobs/churn.yaml:9:1:", e.Message);
    }

    [Fact]
    public void Injection_in_a_table_name_is_refused()
    {
        var e = Assert.Throws<JobSpecException>(() =>
            JobSpecLoader.Parse(Valid.Replace("scored.churn", "\"scored.churn; DROP TABLE scoring.runs\""), "j.yaml"));
        Assert.Contains("output.table", e.Message);
    }
}
