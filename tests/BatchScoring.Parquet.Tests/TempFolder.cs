namespace BatchScoring.Parquet.Tests;

/// <summary>A folder under the system temp folder, deleted with its contents at dispose.</summary>
internal sealed class TempFolder : IDisposable
{
    public string Path { get; } = Directory.CreateTempSubdirectory("batchscoring-parquet-").FullName;

    public string File(string relative)
    {
        var full = System.IO.Path.Combine(Path, relative);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(full)!);
        return full;
    }

    public void Dispose() => Directory.Delete(Path, recursive: true);
}
