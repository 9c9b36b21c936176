using System.CommandLine;

namespace BatchScoring.Worker.Cli;

/// <summary>Arguments and options several verbs share, parsed the same way everywhere.</summary>
internal static class CliArguments
{
    public static Argument<string> Job() => new("job") { Description = "The job's name: the file jobs/<job>.yaml." };

    public static Argument<long> RunId() => new("run-id") { Description = "The run's id (scoring.runs.run_id)." };

    public static Option<int?> Slots() => new("--slots") { Description = "Partitions this process scores at once (default: Worker:Slots, one per two cores)." };
}
