using BatchScoring.Worker.Cli;

namespace BatchScoring.IntegrationTests.Operations;

/// <summary>
/// Every command-line mistake, on every verb, is one line in the user's terms and exit 2 (never 1, which means a
/// run failed), checked while parsing, before any database is touched; a mistyped job name gets a suggestion.
/// </summary>
public class CommandLineErrorTests(ScoringEnvironment env) : IClassFixture<ScoringEnvironment>
{
    private Dictionary<string, string> Environment() => new()
    {
        ["ConnectionStrings__BatchScoring"] = env.ConnectionString,
        ["Jobs__Directory"] = env.Folder,
        ["Models__Directory"] = env.Folder,
        ["Observability__MetricsAddress"] = "",
    };

    [Theory]
    [InlineData("run churn --slots abc", "--slots must be a whole number of at least 1, not 'abc'")]
    [InlineData("run churn --slots 0", "--slots must be a whole number of at least 1, not '0'")]
    [InlineData("run", "Required argument missing for command: 'run'")]
    [InlineData("backfill churn --from 2026-09-01", "Option '--to' is required")]
    [InlineData("backfill churn --from 2026-09-01 --to 2026-09-02 --reprocess some", "--reprocess: 'some' is not one of the values --help lists")]
    [InlineData("backfill churn --from 2026-09-01 --to 2026-09-02 --slots -2", "--slots must be a whole number of at least 1")]
    [InlineData("retry abc", "run-id: 'abc' is not a run id")]
    [InlineData("cancel 1.5", "run-id: '1.5' is not a run id")]
    [InlineData("runs --limit -1", "--limit must be a whole number of at least 1, not '-1'")]
    [InlineData("runs --limit ten", "--limit must be a whole number of at least 1, not 'ten'")]
    [InlineData("runs --status succeded", "--status: 'succeded' is not a run status; did you mean 'succeeded'?")]
    [InlineData("runs show x", "run-id: 'x' is not a run id")]
    [InlineData("report abc", "'abc' is not a whole number")]
    [InlineData("models alias churn latest champion", "'latest' is not a whole number")]
    [InlineData("jobs list --verbose", "Unrecognized command or argument '--verbose'")]
    [InlineData("migrate now", "Unrecognized command or argument 'now'")]
    [InlineData("worker --slots 2", "Unrecognized command or argument '--slots'")]
    [InlineData("scroe", "Unrecognized command or argument 'scroe'")]
    public async Task A_parse_error_is_one_line_in_the_users_terms_and_exits_2(string arguments, string expected)
    {
        var result = await CliRun.RunAsync(env.Folder, arguments.Split(' '), Environment());

        result.AssertOneLineError(ExitCodes.InvalidInput, expected, "--help");
        Assert.DoesNotContain("System.", result.Stderr);
    }

    [Theory]
    [InlineData("run")]
    [InlineData("backfill")]
    public async Task A_mistyped_job_name_gets_the_nearest_job_as_a_suggestion(string verb)
    {
        OperationsHelpers.WriteChurnJob(env, "demo-churn", ScoringEnvironment.SourceTable, "scored.suggested");
        string[] arguments = verb == "run" ? ["run", "demo-chrun"] : ["backfill", "demo-chrun", "--from", "2026-09-01", "--to", "2026-09-02"];

        var result = await CliRun.RunAsync(env.Folder, arguments, Environment());

        result.AssertOneLineError(ExitCodes.InvalidInput, "No job named 'demo-chrun'", "did you mean 'demo-churn'?");
    }

    [Fact]
    public async Task A_backfill_of_a_job_without_a_timestamp_column_is_bad_input()
    {
        OperationsHelpers.WriteChurnJob(env, "timeless", ScoringEnvironment.SourceTable, "scored.timeless");

        var result = await CliRun.RunAsync(env.Folder, ["backfill", "timeless", "--from", "2026-09-01", "--to", "2026-09-02"], Environment());

        result.AssertOneLineError(ExitCodes.InvalidInput, "Job 'timeless' cannot be backfilled", "'source.timestamp_column'");
    }

    [Theory]
    [InlineData("backfill by-run --from 2026-09-01 --to 2026-09-02", "a backfill would drop every row outside its range")]
    [InlineData("run by-run --window 2026-09-01/2026-09-02", "--window would drop every row outside its range")]
    public async Task A_range_of_a_job_that_replaces_by_run_is_bad_input(string arguments, string expected)
    {
        env.WriteJob("by-run", """
            name: by-run
            source: { table: public.customers, key_columns: [customer_id], timestamp_column: event_time }
            model: { path: churn.zip }
            output: { table: scored.by_run_range, replace: run }
            """);

        var result = await CliRun.RunAsync(env.Folder, arguments.Split(' '), Environment());

        result.AssertOneLineError(ExitCodes.InvalidInput, "Job 'by-run'", expected);
    }

    [Fact]
    public void Suggestions_are_offered_only_for_names_near_enough_to_be_typos()
    {
        Assert.Equal("demo-churn", NameSuggestion.Nearest("demo-chrun", ["demo-churn", "fraud"]));
        Assert.Equal("succeeded", NameSuggestion.Nearest("succeded", CliArguments.RunStates));
        Assert.Null(NameSuggestion.Nearest("inventory", ["demo-churn", "fraud"]));
    }
}
