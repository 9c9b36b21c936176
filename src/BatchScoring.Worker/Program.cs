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
    Log.Logger = LoggingSetup.CreateLogger(configuration);
}
catch (Exception e) when (e is OptionsValidationException or FileNotFoundException or InvalidDataException)
{
    await Console.Error.WriteLineAsync($"error: {e.Message}");
    return ExitCodes.InvalidInput;
}
using var signals = new ConsoleSignals();
try
{
    // Signals are ConsoleSignals' (a graceful stop, then exit at once), not System.CommandLine's 2-second cut-off.
    var parse = BatchScoringCli.Create(configuration, signals).Parse(args);
    if (ParseErrors.Any(parse))
        return ParseErrors.Print(parse);
    return await parse.InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = null }, signals.Stopping);
}
finally
{
    await Log.CloseAndFlushAsync();
}
