using System.CommandLine;
using BatchScoring.Worker.Cli;
using BatchScoring.Worker.Hosting;
using BatchScoring.Worker.Observability.Logging;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;
using Serilog;

IConfigurationRoot configuration;
try
{
    configuration = AppConfiguration.Build(ConfigurationFolder.ConfigArgument(args));
}
catch (Exception e) when (BadSettings(e))
{
    await Console.Error.WriteLineAsync($"error: {e.Message}");
    return ExitCodes.InvalidInput;
}
using var signals = new ConsoleSignals();
var parse = BatchScoringCli.Create(configuration, signals).Parse(args);
if (ParseErrors.Any(parse))
    return ParseErrors.Print(parse);
// --help and --version answer from the command tree alone: the logger (a fifth of a second to build) is for verbs.
if (parse.Action is not { ClearsParseErrors: true })
{
    try
    {
        Log.Logger = LoggingSetup.CreateLogger(configuration);
    }
    catch (Exception e) when (BadSettings(e))
    {
        await Console.Error.WriteLineAsync($"error: {e.Message}");
        return ExitCodes.InvalidInput;
    }
}
try
{
    // Signals are ConsoleSignals' (a graceful stop, then exit at once), not System.CommandLine's 2-second cut-off.
    return await parse.InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = null }, signals.Stopping);
}
finally
{
    await Log.CloseAndFlushAsync();
}

static bool BadSettings(Exception e) => e is OptionsValidationException or FileNotFoundException or InvalidDataException;
