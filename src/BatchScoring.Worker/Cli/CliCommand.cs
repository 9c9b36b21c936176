namespace BatchScoring.Worker.Cli;

/// <summary>How to run this <c>batchscoring</c> again from wherever the user is, for the commands that messages suggest.</summary>
internal static class CliCommand
{
    /// <summary>Set by the repository's <c>./batchscoring</c> script to its own absolute path.</summary>
    public const string ScriptVariable = "BATCHSCORING_COMMAND";

    public static string Here(string arguments) => $"{Self()} {arguments}";

    private static string Self()
    {
        if (Environment.GetEnvironmentVariable(ScriptVariable) is { Length: > 0 } script)
            return script;
        var process = Environment.ProcessPath;
        return process is not null && !string.Equals(Path.GetFileNameWithoutExtension(process), "dotnet", StringComparison.OrdinalIgnoreCase)
            ? process
            : $"dotnet {Path.Combine(AppContext.BaseDirectory, "batchscoring.dll")}";
    }
}
