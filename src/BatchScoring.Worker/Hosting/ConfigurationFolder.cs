namespace BatchScoring.Worker.Hosting;

/// <summary>
/// The folders settings name (<c>Jobs:Directory</c>, <c>Models:Directory</c>, <c>Models:StoreDirectory</c>,
/// <c>LocalDatabase:DataDirectory</c>, <c>Demo:ReportDirectory</c>) are relative to the folder of the <c>appsettings.json</c> in use, not to the
/// working directory, so <c>batchscoring</c> finds the same jobs, models and local database wherever it is started.
/// </summary>
internal static class ConfigurationFolder
{
    public static readonly (string Key, string Default)[] FolderSettings =
    [
        ($"{JobsOptions.Section}:{nameof(JobsOptions.Directory)}", new JobsOptions().Directory),
        ($"{ModelsOptions.Section}:{nameof(ModelsOptions.Directory)}", new ModelsOptions().Directory),
        ($"{ModelsOptions.Section}:{nameof(ModelsOptions.StoreDirectory)}", new ModelsOptions().StoreDirectory),
        ($"{LocalDatabaseOptions.Section}:{nameof(LocalDatabaseOptions.DataDirectory)}", new LocalDatabaseOptions().DataDirectory),
        ($"{DemoOptions.Section}:{nameof(DemoOptions.ReportDirectory)}", new DemoOptions().ReportDirectory),
    ];

    /// <summary>Each folder setting as an absolute path: as configured (or its default), against <paramref name="folder"/> when relative.</summary>
    public static IEnumerable<KeyValuePair<string, string?>> Resolve(Microsoft.Extensions.Configuration.IConfiguration configuration, string folder)
        => FolderSettings.Select(s => KeyValuePair.Create(s.Key,
            (string?)Path.GetFullPath(Path.Combine(folder, configuration[s.Key] is { Length: > 0 } value ? value : s.Default))));

    /// <summary>The value of <c>--config FILE</c> (or <c>--config=FILE</c>) among the arguments, read before the command line is parsed.</summary>
    public static string? ConfigArgument(IReadOnlyList<string> args)
    {
        for (var i = 0; i < args.Count; i++)
        {
            if (args[i] == "--config" && i + 1 < args.Count)
                return args[i + 1];
            if (args[i].StartsWith("--config=", StringComparison.Ordinal))
                return args[i]["--config=".Length..];
        }
        return null;
    }
}
