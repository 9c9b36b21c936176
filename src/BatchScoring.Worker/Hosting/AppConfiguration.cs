using Microsoft.Extensions.Configuration;

namespace BatchScoring.Worker.Hosting;

/// <summary>
/// Configuration as every verb sees it: the <c>appsettings.json</c> next to the executable (the
/// repository's top-level file, copied on build), then environment variables (<c>Worker__BatchSize=4096</c>).
/// </summary>
internal static class AppConfiguration
{
    public const string ConnectionStringName = "BatchScoring";

    public static IConfigurationRoot Build() => new ConfigurationBuilder()
        .SetBasePath(AppContext.BaseDirectory)
        .AddJsonFile("appsettings.json", optional: true)
        .AddEnvironmentVariables()
        .Build();

    public static T Bind<T>(IConfiguration configuration, string section) where T : new()
    {
        var options = new T();
        configuration.GetSection(section).Bind(options);
        return options;
    }

    public static string? ConfiguredConnectionString(IConfiguration configuration)
        => configuration.GetConnectionString(ConnectionStringName) is { Length: > 0 } value ? value : null;
}
