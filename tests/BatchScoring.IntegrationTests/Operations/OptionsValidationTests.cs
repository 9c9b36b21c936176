namespace BatchScoring.IntegrationTests.Operations;

/// <summary>An invalid setting stops the process at start with one line naming it, also for options read before the host exists.</summary>
public class OptionsValidationTests(ScoringEnvironment env) : IClassFixture<ScoringEnvironment>
{
    [Fact]
    public async Task A_local_database_port_out_of_range_is_one_line_naming_the_setting()
    {
        var result = await CliRun.RunAsync(env.Folder, ["demo", "stop"], new Dictionary<string, string>
        {
            ["ConnectionStrings__BatchScoring"] = "",
            ["LocalDatabase__Port"] = "80",
        });

        result.AssertOneLineError(2, "LocalDatabase:Port must be between 1024 and 65535");
    }

    [Fact]
    public async Task An_unknown_log_format_is_one_line_naming_the_setting()
    {
        var result = await CliRun.RunAsync(env.Folder, ["jobs", "list"], new Dictionary<string, string>
        {
            ["ConnectionStrings__BatchScoring"] = env.ConnectionString,
            ["Logging__Format"] = "xml",
        });

        result.AssertOneLineError(2, "Logging:Format must be 'text' or 'json'");
    }

    [Fact]
    public async Task An_invalid_scheduler_setting_stops_the_worker_naming_the_setting()
    {
        var result = await CliRun.RunAsync(env.Folder, ["worker"], new Dictionary<string, string>
        {
            ["ConnectionStrings__BatchScoring"] = env.ConnectionString,
            ["Jobs__Directory"] = env.Folder,
            ["Observability__MetricsAddress"] = "",
            ["Scheduler__ReloadInterval"] = "00:00:00.001",
        });

        result.AssertOneLineError(2, "Scheduler:ReloadInterval");
    }
}
