using System.CommandLine;
using BatchScoring.Worker.WebConsole;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace BatchScoring.Worker.Cli;

/// <summary><c>batchscoring console</c>: the read-only web console on its own, without scheduling or scoring.</summary>
internal static class ConsoleCommand
{
    public static Command Create(IConfigurationRoot configuration)
    {
        var address = new Option<string?>("--address")
        {
            Description = $"http://host:port to listen on (default: Console:Address, else {ConsoleOptions.StandaloneAddress}).",
        };
        var command = new Command("console",
            "Serve the read-only web console (runs, partitions, jobs, models, drift) until stopped; reads only, so a SELECT-only role such as batchscoring_analyst is enough.")
        {
            address,
        };
        command.SetAction((parse, cancellationToken) => CliAction.RunAsync(async () =>
        {
            using var host = await CliHost.CurrentAsync(configuration, cancellationToken);
            var options = host.Services.GetRequiredService<IOptions<ConsoleOptions>>().Value;
            var listen = parse.GetValue(address) ?? (options.Address.Length > 0 ? options.Address : ConsoleOptions.StandaloneAddress);
            await using var app = await ConsoleServer.StartAsync(host.Services.GetRequiredService<ConsoleRoutes>(), listen, cancellationToken);
            Console.WriteLine($"Serving the web console on {listen} (Ctrl+C stops it).");
            try
            {
                await Task.Delay(Timeout.Infinite, cancellationToken);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                await app.StopAsync(CancellationToken.None);
            }
            return ExitCodes.Succeeded;
        }));
        return command;
    }
}
