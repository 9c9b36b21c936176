using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace BatchScoring.Worker.Hosting;

/// <summary>
/// Configuration as every verb sees it: <c>--config FILE</c>, else the <c>appsettings.json</c> next to the
/// executable (the repository's top-level file, copied on build), then environment variables
/// (<c>Worker__BatchSize=4096</c>); folder settings are resolved against that file's folder (<see cref="ConfigurationFolder"/>).
/// </summary>
internal static class AppConfiguration
{
    public const string ConnectionStringName = "BatchScoring";

    public static IConfigurationRoot Build(string? configFile = null)
    {
        var file = Path.GetFullPath(configFile ?? Path.Combine(AppContext.BaseDirectory, "appsettings.json"));
        if (configFile is not null && !File.Exists(file))
            throw new FileNotFoundException($"--config: there is no file {file}.");
        var settings = new ConfigurationBuilder()
            .AddJsonFile(file, optional: configFile is null)
            .AddEnvironmentVariables()
            .Build();
        return new ConfigurationBuilder()
            .AddConfiguration(settings)
            .AddInMemoryCollection(ConfigurationFolder.Resolve(settings, Path.GetDirectoryName(file)!))
            .Build();
    }

    /// <summary>
    /// Options for code that runs before the host exists (the database to start, the logger, the
    /// scheduler's wiring), bound and validated by the same pipeline the host uses, so an invalid
    /// value fails with the same <see cref="OptionsValidationException"/>.
    /// </summary>
    public static T Bind<T>(IConfiguration configuration, string section) where T : class, new()
    {
        using var services = new ServiceCollection()
            .AddSingleton(configuration)
            .AddOptions<T>().BindConfiguration(section).ValidateDataAnnotations().Services
            .BuildServiceProvider();
        return services.GetRequiredService<IOptions<T>>().Value;
    }

    public static string? ConfiguredConnectionString(IConfiguration configuration)
        => configuration.GetConnectionString(ConnectionStringName) is { Length: > 0 } value ? value : null;
}
