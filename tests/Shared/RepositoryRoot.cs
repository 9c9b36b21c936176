namespace BatchScoring.Testing;

/// <summary>The repository the tests were built in (where BatchScoring.sln is), found from the output folder.</summary>
internal static class RepositoryRoot
{
    public static string Path { get; } = Find();

    private static string Find()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(folder.FullName, "BatchScoring.sln")))
                return folder.FullName;
        }
        throw new InvalidOperationException($"No BatchScoring.sln above {AppContext.BaseDirectory}.");
    }
}
