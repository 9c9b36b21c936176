using BatchScoring.Worker.Cli;
using BatchScoring.Worker.Hosting;
using Serilog;

var configuration = AppConfiguration.Build();
Log.Logger = new LoggerConfiguration().ReadFrom.Configuration(configuration).CreateLogger();
try
{
    return await BatchScoringCli.Create(configuration).Parse(args).InvokeAsync();
}
finally
{
    await Log.CloseAndFlushAsync();
}
