using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using BatchScoring.Core.Runs;

namespace BatchScoring.Worker.Cli;

/// <summary>Arguments and options several verbs share, parsed and checked the same way everywhere, at parse time.</summary>
internal static class CliArguments
{
    public static readonly string[] RunStates = [RunStatus.Running, RunStatus.Succeeded, RunStatus.PartiallyFailed, RunStatus.Failed, RunStatus.Cancelled];

    public static Argument<string> Job() => new("job") { Description = "The job's name: the file jobs/<job>.yaml." };

    public static Argument<long> RunId() => new("run-id")
    {
        Description = "The run's id (scoring.runs.run_id).",
        CustomParser = result => long.TryParse(Single(result), NumberStyles.None, CultureInfo.InvariantCulture, out var id) && id >= 1
            ? id
            : Fail<long>(result, $"run-id: '{Single(result)}' is not a run id (a whole number, as `{CliCommand.Here("runs")}` lists them)"),
    };

    public static Option<int?> Slots() => new("--slots")
    {
        Description = "Partitions this process scores at once, at least 1 (default: Worker:Slots, one per two cores).",
        CustomParser = result => AtLeastOne(result, "--slots"),
    };

    /// <summary>A whole number ≥ 1.</summary>
    public static int? AtLeastOne(ArgumentResult result, string option)
        => int.TryParse(Single(result), NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value >= 1
            ? value
            : Fail<int?>(result, $"{option} must be a whole number of at least 1, not '{Single(result)}'");

    /// <summary><c>--status</c>: one of the run states, with a suggestion for a typo.</summary>
    public static Option<string?> Status() => new("--status")
    {
        Description = $"Only runs in this status ({string.Join(", ", RunStates)}).",
        Validators =
        {
            result =>
            {
                if (result.GetValueOrDefault<string?>() is { } status && !RunStates.Contains(status))
                    result.AddError($"--status: '{status}' is not a run status{NameSuggestion.DidYouMean(status, RunStates)} (one of {string.Join(", ", RunStates)})");
            },
        },
    };

    private static string Single(ArgumentResult result) => result.Tokens.Count == 1 ? result.Tokens[0].Value : string.Join(' ', result.Tokens.Select(t => t.Value));

    private static T? Fail<T>(ArgumentResult result, string message)
    {
        result.AddError(message);
        return default;
    }
}
