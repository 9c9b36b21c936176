using BatchScoring.Worker.Cli;
using BatchScoring.Worker.Hosting;
using BatchScoring.Worker.Observability.Logging;
using Serilog;

var configuration = AppConfiguration.Build();
Log.Logger = LoggingSetup.CreateLogger(configuration);
try
{
    return await BatchScoringCli.Create(configuration).Parse(args).InvokeAsync();
}
finally
{
    await Log.CloseAndFlushAsync();
}
