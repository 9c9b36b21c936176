using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

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
