using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace BatchScoring.Core.Jobs;

/// <summary>Reads job files (<c>jobs/*.yaml</c>) into validated <see cref="JobSpec"/>s.</summary>
public static class JobSpecLoader
{
    public static readonly IReadOnlyList<string> Extensions = [".yaml", ".yml"];

    public static JobSpec LoadFile(string path)
    {
        var result = ReadFile(path);
        return result.Job ?? throw new JobSpecException(result.Errors);
    }

    /// <summary>Finds the job whose file is <c>&lt;directory&gt;/&lt;name&gt;.yaml</c> (or .yml).</summary>
    public static JobSpec LoadByName(string directory, string name)
    {
        foreach (var extension in Extensions)
        {
            var path = Path.Combine(directory, name + extension);
            if (File.Exists(path))
                return LoadFile(path);
        }
        throw new FileNotFoundException(
            $"No job named '{name}': expected {Path.Combine(directory, name + ".yaml")} (job folder: {Path.GetFullPath(directory)}).");
    }

    /// <summary>Parses one job file; throws <see cref="JobSpecException"/> with every error of the file.</summary>
    public static JobSpec Parse(string yaml, string filePath)
    {
        var result = Read(yaml, filePath);
        return result.Job ?? throw new JobSpecException(result.Errors);
    }

    /// <summary>Parses the bytes of one job file (see <see cref="JobFileText"/>) without throwing on its errors.</summary>
    public static JobFileResult Read(ReadOnlySpan<byte> content, string filePath)
    {
        var (text, error) = JobFileText.Decode(content, filePath);
        return text is null ? Failed(error!) : Read(text, filePath);
    }

    /// <summary>Parses one job file without throwing on its errors.</summary>
    public static JobFileResult Read(string yaml, string filePath)
    {
        if (yaml.Length > JobFileText.MaxBytes || System.Text.Encoding.UTF8.GetByteCount(yaml) > JobFileText.MaxBytes)
            return Failed(JobFileText.TooLarge(filePath));
        var reader = new YamlNodeReader(filePath);
        YamlNode root;
        try
        {
            if (YamlLimits.Check(yaml) is var (where, message))
                return Failed(new JobFileError(filePath, where.Line, where.Column, message));
            var stream = new YamlStream();
            stream.Load(new StringReader(yaml));
            if (stream.Documents.Count == 0 || YamlNodeReader.IsNull(stream.Documents[0].RootNode))
                return Failed(new JobFileError(filePath, 1, 1, "the file is empty"));
            if (stream.Documents.Count > 1)
                reader.Error(stream.Documents[1].RootNode, "a job file holds one job: remove the second document ('---')");
            root = stream.Documents[0].RootNode;
        }
        catch (YamlException e)
        {
            var reason = e.InnerException?.Message ?? e.Message;
            var (line, column) = YamlErrorLocation.Of(e, yaml);
            return Failed(new JobFileError(filePath, line, column, $"invalid YAML: {reason}"));
        }
        var job = new JobSpecParser(reader, filePath).Parse(root);
        var nameNode = root is YamlMappingNode mapping && mapping.Children.TryGetValue("name", out var node) ? node as YamlScalarNode : null;
        var errors = reader.Errors.OrderBy(e => e.Line).ThenBy(e => e.Column).ToList();
        return new JobFileResult(filePath, errors.Count == 0 ? job : null, nameNode?.Value, errors)
        {
            NameLine = nameNode?.Start.Line ?? 0,
            NameColumn = nameNode?.Start.Column ?? 0,
        };
    }

    /// <summary>Reads every job file of a folder once (see <see cref="JobFolderScan"/>).</summary>
    public static JobDirectoryResult LoadDirectory(string directory) => Directory.Exists(directory)
        ? new JobFolderScan(directory).Scan().Files
        : throw new DirectoryNotFoundException($"The job folder {Path.GetFullPath(directory)} does not exist.");

    public static JobFileResult ReadFile(string path)
    {
        byte[] content;
        try
        {
            content = JobFileText.ReadBounded(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return Failed(new JobFileError(path, 0, 0, $"cannot read the file: {e.Message}"));
        }
        return Read(content, path);
    }

    private static JobFileResult Failed(JobFileError error) => new(error.FilePath, null, null, [error]);
}
