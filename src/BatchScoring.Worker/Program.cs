using BatchScoring.Worker.Cli;
using BatchScoring.Worker.Hosting;
using BatchScoring.Worker.Observability.Logging;
using Microsoft.Extensions.Options;
using Serilog;

var configuration = AppConfiguration.Build();
try
{
    Log.Logger = LoggingSetup.CreateLogger(configuration);
}
catch (OptionsValidationException e)
{
    await Console.Error.WriteLineAsync($"error: {e.Message}");
    return ExitCodes.InvalidInput;
}
try
{
    return await BatchScoringCli.Create(configuration).Parse(args).InvokeAsync();
}
finally
{
    await Log.CloseAndFlushAsync();
}
