using System.Text.RegularExpressions;

namespace BatchScoring.IntegrationTests.Operations;

/// <summary>
/// The scoring environment with one finished run of the job <c>exitcodes</c> (drift measured against a window of
/// its own source, so the run has a drift report) and a job file with a mistake in a folder of its own.
/// </summary>
public sealed partial class ExitCodeEnvironment : ScoringEnvironment
{
    public const string Job = "exitcodes";

    public long RunId { get; private set; }

    public string BrokenJobFile => Path.Combine(Folder, "broken", "broken.yaml");

    public Dictionary<string, string> CliEnvironment() => new()
    {
        ["ConnectionStrings__BatchScoring"] = ConnectionString,
        ["Jobs__Directory"] = Folder,
        ["Models__Directory"] = Folder,
        ["Models__StoreDirectory"] = Path.Combine(Folder, "store"),
        ["Observability__MetricsAddress"] = "",
    };

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        WriteJob(Job, $"""
            name: {Job}
            source:
              table: {SourceTable}
              key_columns: [customer_id]
              timestamp_column: event_time
            partitioning:
              grain: none
            model:
              path: churn.zip
            output:
              table: scored.exitcodes
            drift:
              reference:
                window: {"{"} start: "2026-09-01", end: "2026-09-15" {"}"}
            """);
        Directory.CreateDirectory(Path.GetDirectoryName(BrokenJobFile)!);
        await File.WriteAllTextAsync(BrokenJobFile, "name: broken\nsource:\n  table: public.customers\n");

        var run = await CliRun.RunAsync(Folder, ["run", Job], CliEnvironment());
        Assert.True(run.ExitCode == 0, $"run {Job} exited {run.ExitCode}:\n{run.Stdout}\n{run.Stderr}");
        RunId = long.Parse(RunLine().Match(run.Stdout).Groups["id"].Value, System.Globalization.CultureInfo.InvariantCulture);
    }

    [GeneratedRegex(@"^Run (?<id>\d+): succeeded", RegexOptions.Multiline)]
    private static partial Regex RunLine();
}
