using BatchScoring.Core.Jobs;

namespace BatchScoring.Core.Tests.Jobs;

/// <summary>One test per kind of job file error: each names the problem and its line and column.</summary>
public class JobValidationTests
{
    private const string File = "jobs/churn.yaml";

    private static JobFileError SingleError(string yaml)
    {
        var e = Assert.Throws<JobSpecException>(() => JobSpecLoader.Parse(yaml, File));
        return Assert.Single(e.Errors);
    }

    [Fact]
    public void Unknown_key_in_a_section()
    {
        var error = SingleError("""
            name: churn
            source:
              table: public.customers
              key_columns: [customer_id]
              timestamp_colum: updated_at
            model: churn@champion
            output:
              table: scored.churn
            """);
        Assert.Equal((5L, 3L), (error.Line, error.Column));
        Assert.Equal("unknown key 'timestamp_colum' in 'source'; expected one of: table, query, parquet, key_columns, timestamp_column", error.Message);
    }

    [Fact]
    public void An_output_without_a_table_or_a_parquet_folder()
    {
        var error = SingleError("""
            name: churn
            source: { table: public.customers, key_columns: [customer_id] }
            model: churn@champion
            output:
              mode: append
            """);
        Assert.Equal((5L, 3L), (error.Line, error.Column));
        Assert.Equal("'output' needs 'table' (a PostgreSQL table), 'parquet_folder', or both", error.Message);
    }

    [Fact]
    public void An_unknown_output_replace()
    {
        var error = SingleError("""
            name: churn
            source: { table: public.customers, key_columns: [customer_id] }
            model: churn@champion
            output:
              table: scored.churn
              replace: rows
            """);
        Assert.Equal((6L, 12L), (error.Line, error.Column));
        Assert.Equal("'output.replace' must be one of partition, key, run, not 'rows'", error.Message);
    }

    [Fact]
    public void Output_replace_run_with_a_window_or_skip_unchanged()
    {
        var windowed = SingleError("""
            name: churn
            source: { table: public.customers, key_columns: [customer_id], timestamp_column: updated_at }
            window: { size: 1d }
            model: churn@champion
            output: { table: scored.churn, replace: run }
            """);
        Assert.Equal((3L, 9L), (windowed.Line, windowed.Column));
        Assert.StartsWith("'window' cannot be combined with 'output.replace: run': a run replaces the rows of the job's earlier runs", windowed.Message);
        var skipping = SingleError("""
            name: churn
            source: { table: public.customers, key_columns: [customer_id] }
            model: churn@champion
            output: { table: scored.churn, replace: run, skip_unchanged: true }
            """);
        Assert.StartsWith("'output.skip_unchanged' cannot be combined with 'output.replace: run'", skipping.Message);
    }

    [Fact]
    public void Skip_unchanged_in_append_mode_or_without_a_table()
    {
        var append = SingleError("""
            name: churn
            source: { table: public.customers, key_columns: [customer_id] }
            model: churn@champion
            output:
              table: scored.churn
              mode: append
              skip_unchanged: true
            """);
        Assert.Equal((7L, 19L), (append.Line, append.Column));
        Assert.StartsWith("'output.skip_unchanged' needs an upsert output table", append.Message);
        Assert.Equal(File, append.FilePath);
        var files = SingleError("""
            name: churn
            source: { table: public.customers, key_columns: [customer_id] }
            model: churn@champion
            output: { table: scored.churn, parquet_folder: out, skip_unchanged: true }
            """);
        Assert.StartsWith("'output.skip_unchanged' cannot be combined with 'output.parquet_folder'", files.Message);
        var word = SingleError("""
            name: churn
            source: { table: public.customers, key_columns: [customer_id] }
            model: churn@champion
            output: { table: scored.churn, skip_unchanged: sometimes }
            """);
        Assert.Equal("'output.skip_unchanged' must be true or false, not 'sometimes'", word.Message);
    }

    [Fact]
    public void An_output_replace_in_append_mode()
    {
        var error = SingleError("""
            name: churn
            source: { table: public.customers, key_columns: [customer_id] }
            model: churn@champion
            output: { table: scored.churn, mode: append, replace: key }
            """);
        Assert.Equal((4L, 55L), (error.Line, error.Column));
        Assert.StartsWith("'output.replace' applies to mode upsert", error.Message);
    }

    [Fact]
    public void A_challenger_with_a_parquet_only_output_and_no_shadow_table()
    {
        var error = SingleError("""
            name: churn
            source: { table: public.customers, key_columns: [customer_id] }
            model: { name: churn@champion, challenger: churn@challenger }
            output: { parquet_folder: exports/churn }
            """);
        Assert.Equal((4L, 9L), (error.Line, error.Column));
        Assert.Contains("'output.table' or 'output.shadow_table'", error.Message);
    }

    [Fact]
    public void Wrong_type()
    {
        var error = SingleError("""
            name: churn
            enabled: maybe
            source: { table: public.customers, key_columns: [customer_id] }
            model: churn@champion
            output: { table: scored.churn }
            """);
        Assert.Equal((2L, 10L), (error.Line, error.Column));
        Assert.Equal("'enabled' must be true or false, not 'maybe'", error.Message);
    }

    [Fact]
    public void Mapping_where_a_value_is_expected()
    {
        var error = SingleError("""
            name: churn
            source: { table: public.customers, key_columns: [customer_id] }
            model: churn@champion
            output: { table: scored.churn }
            concurrency: { max: 3 }
            """);
        Assert.Equal((5L, 14L), (error.Line, error.Column));
        Assert.Equal("'concurrency' must be a whole number, not a mapping", error.Message);
    }

    [Fact]
    public void Invalid_cron()
    {
        var error = SingleError("""
            name: churn
            schedule:
              cron: "0 0 25 * * ?"
            source: { table: public.customers, key_columns: [customer_id] }
            model: churn@champion
            output: { table: scored.churn }
            """);
        Assert.Equal((3L, 9L), (error.Line, error.Column));
        Assert.StartsWith("'schedule.cron': invalid Quartz cron expression '0 0 25 * * ?'", error.Message);
        Assert.Contains("Hour values must be between 0 and 23", error.Message);
    }

    [Fact]
    public void Unknown_time_zone()
    {
        var error = SingleError("""
            name: churn
            schedule:
              cron: "0 0 2 * * ?"
              timezone: Europe/Atlantis
            source: { table: public.customers, key_columns: [customer_id] }
            model: churn@champion
            output: { table: scored.churn }
            """);
        Assert.Equal((4L, 13L), (error.Line, error.Column));
        Assert.Equal("'schedule.timezone': unknown time zone 'Europe/Atlantis'; use an IANA name such as Europe/Berlin or UTC", error.Message);
    }

    [Fact]
    public void Invalid_sql_identifier()
    {
        var error = SingleError("""
            name: churn
            source: { table: public.customers, key_columns: [customer_id, "id; DROP TABLE x"] }
            model: churn@champion
            output: { table: scored.churn }
            """);
        Assert.Equal((2L, 63L), (error.Line, error.Column));
        Assert.StartsWith("'source.key_columns': invalid column name 'id; DROP TABLE x'", error.Message);
    }

    [Fact]
    public void Missing_required_key()
    {
        var error = SingleError("""
            name: churn
            source:
              table: public.customers
            model: churn@champion
            output: { table: scored.churn }
            """);
        Assert.Equal((3L, 3L), (error.Line, error.Column));
        Assert.Equal("missing required key 'key_columns' in 'source'", error.Message);
    }

    [Fact]
    public void Invalid_duration()
    {
        var error = SingleError("""
            name: churn
            source: { table: public.customers, key_columns: [customer_id], timestamp_column: updated_at }
            window: { size: 1 day }
            model: churn@champion
            output: { table: scored.churn }
            """);
        Assert.Equal((3L, 17L), (error.Line, error.Column));
        Assert.Equal("'window.size' must be a duration like 30s, 15m, 6h, 1d or 1h30m, not '1 day'", error.Message);
    }

    [Fact]
    public void A_grain_that_does_not_tile_a_day()
    {
        var error = SingleError("""
            name: churn
            source: { table: public.customers, key_columns: [customer_id] }
            partitioning: { grain: 7h }
            model: churn@champion
            output: { table: scored.churn }
            """);
        Assert.Equal((3L, 24L), (error.Line, error.Column));
        Assert.StartsWith("'partitioning.grain' must divide a day", error.Message);
    }

    [Fact]
    public void Invalid_yaml_syntax()
    {
        var error = SingleError("name: churn\nsource: [unclosed\n");
        Assert.Equal(3L, error.Line);
        Assert.StartsWith("invalid YAML:", error.Message);
    }

    [Fact]
    public void Every_error_of_a_file_is_reported_at_once_in_order()
    {
        var e = Assert.Throws<JobSpecException>(() => JobSpecLoader.Parse("""
            name: Churn Daily
            schedule: { cron: "every day", timezone: Mars/Olympus }
            source: { table: "public.customers;", key_columns: [customer_id] }
            model: { name: churn@champion, path: churn.zip }
            output: { table: scored.churn, mode: overwrite }
            retries: { max_attempts: 0 }
            colour: blue
            """, File));
        Assert.Equal(
            [(1L, 7L), (2L, 19L), (2L, 42L), (3L, 18L), (4L, 8L), (5L, 38L), (6L, 26L), (7L, 1L)],
            e.Errors.Select(x => (x.Line, x.Column)));
        Assert.All(e.Errors, x => Assert.Equal(File, x.FilePath));
        var lines = e.Message.Split(Environment.NewLine);
        Assert.Equal(8, lines.Length);
        Assert.Equal("jobs/churn.yaml:7:1: unknown key 'colour' at the top level; expected one of: " + string.Join(", ", JobFileKeys.Sections[""]), lines[^1]);
    }

    [Fact]
    public void Duplicate_job_names_across_files()
    {
        var folder = Directory.CreateTempSubdirectory("batchscoring-jobs-").FullName;
        try
        {
            const string body = """
                source: { table: public.customers, key_columns: [customer_id] }
                model: churn@champion
                output: { table: scored.churn }
                """;
            System.IO.File.WriteAllText(Path.Combine(folder, "a.yaml"), "name: churn\n" + body);
            System.IO.File.WriteAllText(Path.Combine(folder, "b.yaml"), "# the same job again\nname:   churn\n" + body);

            var result = JobSpecLoader.LoadDirectory(folder);

            Assert.Equal(["churn"], result.Jobs.Select(j => j.Name));
            var error = Assert.Single(result.Errors);
            Assert.Equal((Path.Combine(folder, "b.yaml"), 2L, 9L), (error.FilePath, error.Line, error.Column));
            Assert.Equal($"duplicate job name 'churn': {Path.Combine(folder, "a.yaml")} already defines it", error.Message);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
