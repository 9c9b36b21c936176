using BatchScoring.Core.Errors;
using BatchScoring.Core.Runs;
using BatchScoring.Worker.Execution;
using Microsoft.Extensions.Options;
using Serilog;

namespace BatchScoring.Worker.Cli;

/// <summary>Runs a verb's body and turns bad input into a one-line error and an exit code.</summary>
internal static class CliAction
{
    public static async Task<int> RunAsync(Func<Task<int>> body)
    {
        try
        {
            return await body();
        }
        catch (Exception e) when (e is BatchScoringException or FileNotFoundException or OptionsValidationException)
        {
            await Console.Error.WriteLineAsync($"error: {e.Message}");
            return ExitCodes.InvalidInput;
        }
        catch (OperationCanceledException)
        {
            await Console.Error.WriteLineAsync("cancelled");
            return ExitCodes.Cancelled;
        }
        catch (Exception e)
        {
            Log.Fatal(e, "Unexpected error");
            await Console.Error.WriteLineAsync($"error: {e.Message}");
            return ExitCodes.RunFailed;
        }
    }

    public static int ExitCodeOf(RunOutcome outcome) => outcome.Status switch
    {
        RunStatus.Succeeded => ExitCodes.Succeeded,
        RunStatus.Cancelled => ExitCodes.Cancelled,
        _ => ExitCodes.RunFailed,
    };
}
