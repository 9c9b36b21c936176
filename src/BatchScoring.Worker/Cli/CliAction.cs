using BatchScoring.Core.Runs;
using BatchScoring.Worker.Execution;
using Serilog;

namespace BatchScoring.Worker.Cli;

/// <summary>
/// Runs a verb's body: a failure the user can cause (<see cref="ExpectedFailure"/>) becomes one line on
/// stderr and an exit code, its stack only in the log at Debug; anything else is logged as fatal.
/// </summary>
internal static class CliAction
{
    public static async Task<int> RunAsync(Func<Task<int>> body)
    {
        try
        {
            return await body();
        }
        catch (OperationCanceledException)
        {
            await Console.Error.WriteLineAsync("cancelled");
            return ExitCodes.Cancelled;
        }
        catch (Exception e) when (ExpectedFailure.Of(e) is { } failure)
        {
            Log.Debug(e, "Expected failure: {Failure}", failure.Message);
            await Console.Error.WriteLineAsync($"error: {failure.Message}");
            return failure.ExitCode;
        }
        catch (Exception e)
        {
            Log.Fatal(e, "Unexpected error");
            await Console.Error.WriteLineAsync($"error: {e.Message}");
            return ExitCodes.RunFailed;
        }
    }

    /// <summary>The exit code of a run's outcome; 130 whenever the user stopped it, even if its last partitions still committed.</summary>
    public static int ExitCodeOf(RunOutcome outcome, CancellationToken stopping) => stopping.IsCancellationRequested ? ExitCodes.Cancelled : outcome.Status switch
    {
        RunStatus.Succeeded => ExitCodes.Succeeded,
        RunStatus.Cancelled => ExitCodes.Cancelled,
        _ => ExitCodes.RunFailed,
    };
}
