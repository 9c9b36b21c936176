using BatchScoring.Worker.Hosting;
using Microsoft.Extensions.Configuration;
using Serilog;
using Serilog.Events;
using Serilog.Formatting;
using Serilog.Formatting.Compact;
using Serilog.Formatting.Display;

namespace BatchScoring.Worker.Observability.Logging;

/// <summary>
/// Builds the process's Serilog logger: levels, enrichers and extra sinks from the <c>Serilog</c>
/// section, and a console sink whose format comes from <c>Logging:Format</c>. Everything the
/// console writes passes through the <see cref="SecretMasker"/>, exceptions included.
/// </summary>
internal static class LoggingSetup
{
    public const string DefaultOutputTemplate = "[{Timestamp:HH:mm:ss} {Level:u3}]{Scope} {Message:lj}{NewLine}{Exception}";

    public static Serilog.ILogger CreateLogger(IConfiguration configuration, Action<LoggerConfiguration>? extra = null)
    {
        var options = AppConfiguration.Bind<LoggingOptions>(configuration, LoggingOptions.Section);
        var masker = SecretMasker.FromConfiguration(configuration);
        var json = string.Equals(options.Format, "json", StringComparison.OrdinalIgnoreCase);

        var logger = new LoggerConfiguration()
            .ReadFrom.Configuration(configuration)
            .Enrich.FromLogContext()
            .Enrich.With(new SecretMaskingEnricher(masker))
            .Filter.ByExcluding(HostStartupFault.Matches);
        if (!json)
            logger.Enrich.With<RunScopeEnricher>();
        if (!DebugEnabled(configuration))
            logger.Filter.ByExcluding(PartitionLines.Hidden);
        logger.WriteTo.Console(Formatter(json, options.OutputTemplate, masker), standardErrorFromLevel: LogEventLevel.Verbose);
        extra?.Invoke(logger);
        return logger.CreateLogger();
    }

    private static bool DebugEnabled(IConfiguration configuration)
        => Enum.TryParse<LogEventLevel>(configuration["Serilog:MinimumLevel:Default"] ?? configuration["Serilog:MinimumLevel"], true, out var level)
           && level <= LogEventLevel.Debug;

    /// <summary>The console's formatter, also used by tests that capture what the console would print.</summary>
    public static ITextFormatter Formatter(bool json, string outputTemplate, SecretMasker masker) => new MaskingFormatter(
        json ? new RenderedCompactJsonFormatter() : new MessageTemplateTextFormatter(outputTemplate, formatProvider: null), masker);
}
