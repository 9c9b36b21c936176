using BatchScoring.Core.Sql;
using YamlDotNet.Core;
using YamlDotNet.Serialization;
using YamlDotNet.Serialization.NamingConventions;

namespace BatchScoring.Core.Jobs;

/// <summary>Reads job files (<c>jobs/*.yaml</c>) into validated <see cref="JobSpec"/>s.</summary>
public static class JobSpecLoader
{
    private static readonly IDeserializer Deserializer = new DeserializerBuilder()
        .WithNamingConvention(UnderscoredNamingConvention.Instance)
        .Build();

    public static JobSpec LoadFile(string path) => Parse(File.ReadAllText(path), path);

    /// <summary>Finds the job whose file is <c>&lt;directory&gt;/&lt;name&gt;.yaml</c> (or .yml).</summary>
    public static JobSpec LoadByName(string directory, string name)
    {
        foreach (var extension in new[] { ".yaml", ".yml" })
        {
            var path = Path.Combine(directory, name + extension);
            if (File.Exists(path))
                return LoadFile(path);
        }
        throw new FileNotFoundException(
            $"No job named '{name}': expected {Path.Combine(directory, name + ".yaml")} (job folder: {Path.GetFullPath(directory)}).");
    }

    public static JobSpec Parse(string yaml, string filePath)
    {
        JobDocument document;
        try
        {
            document = Deserializer.Deserialize<JobDocument?>(yaml) ?? throw new JobSpecException(filePath, 0, 0, "the file is empty");
        }
        catch (YamlException e)
        {
            var reason = e.InnerException?.Message ?? e.Message;
            throw new JobSpecException(filePath, e.Start.Line, e.Start.Column, reason);
        }
        return Validate(document, filePath);
    }

    private static JobSpec Validate(JobDocument d, string filePath)
    {
        string Require(string? value, string key) => string.IsNullOrWhiteSpace(value)
            ? throw new JobSpecException(filePath, 0, 0, $"'{key}' is required")
            : value;

        SqlIdentifier Identifier(string? value, string key)
        {
            var text = Require(value, key);
            return SqlIdentifier.TryParse(text, out var id, out var error)
                ? id
                : throw new JobSpecException(filePath, 0, 0, $"'{key}': invalid SQL identifier '{text}': {error}");
        }

        var name = Require(d.Name, "name");
        var source = d.Source ?? throw new JobSpecException(filePath, 0, 0, "'source' is required");
        var keys = source.KeyColumns ?? [];
        if (keys.Count == 0)
            throw new JobSpecException(filePath, 0, 0, "'source.key_columns' needs at least one column");
        foreach (var key in keys)
        {
            if (!SqlIdentifier.IsValidPart(key))
                throw new JobSpecException(filePath, 0, 0, $"'source.key_columns': invalid column name '{key}'");
        }
        TimeSpan Duration(string? text, string key, TimeSpan fallback) => text is null ? fallback
            : System.Xml.XmlConvert.ToTimeSpan("P" + (text.EndsWith('d') ? text.ToUpperInvariant() : "T" + text.ToUpperInvariant()));

        var retries = RetryPolicy.Default;
        var errors = ErrorPolicy.Default;
        return new JobSpec
        {
            Name = name,
            Description = d.Description ?? "",
            FilePath = filePath,
            Source = new PostgresTableSourceSpec(Identifier(source.Table, "source.table"), keys, source.TimestampColumn),
            Partitioning = d.Partitioning is { } p
                ? new PartitioningSpec(p.Grain is null ? null : Duration(p.Grain, "partitioning.grain", TimeSpan.Zero), p.Buckets ?? 1)
                : PartitioningSpec.Default,
            Model = new ModelSpec(ModelReference.File(Require(d.Model?.Path, "model.path"))),
            Output = new OutputSpec
            {
                Table = Identifier(d.Output?.Table, "output.table"),
                Mode = d.Output?.Mode == "append" ? OutputMode.Append : OutputMode.Upsert,
                Passthrough = d.Output?.Passthrough ?? [],
            },
            Retries = d.Retries is { } r
                ? retries with
                {
                    MaxAttempts = r.MaxAttempts ?? retries.MaxAttempts,
                    InitialBackoff = Duration(r.Backoff, "retries.backoff", retries.InitialBackoff),
                    MaxBackoff = Duration(r.MaxBackoff, "retries.max_backoff", retries.MaxBackoff),
                }
                : retries,
            Errors = d.Errors is { } e
                ? new ErrorPolicy(e.MaxFailedRows ?? errors.MaxFailedRows, e.MaxFailedPercent ?? errors.MaxFailedPercent)
                : errors,
            PartitionTimeout = Duration(d.PartitionTimeout, "partition_timeout", TimeSpan.FromMinutes(30)),
        };
    }

    private sealed class JobDocument
    {
        public string? Name { get; set; }
        public string? Description { get; set; }
        public SourceDocument? Source { get; set; }
        public ModelDocument? Model { get; set; }
        public OutputDocument? Output { get; set; }
        public PartitioningDocument? Partitioning { get; set; }
        public RetriesDocument? Retries { get; set; }
        public ErrorsDocument? Errors { get; set; }
        public string? PartitionTimeout { get; set; }
    }

    private sealed class PartitioningDocument
    {
        public string? Grain { get; set; }
        public int? Buckets { get; set; }
    }

    private sealed class RetriesDocument
    {
        public int? MaxAttempts { get; set; }
        public string? Backoff { get; set; }
        public string? MaxBackoff { get; set; }
    }

    private sealed class ErrorsDocument
    {
        public long? MaxFailedRows { get; set; }
        public double? MaxFailedPercent { get; set; }
    }

    private sealed class SourceDocument
    {
        public string? Table { get; set; }
        public List<string>? KeyColumns { get; set; }
        public string? TimestampColumn { get; set; }
    }

    private sealed class ModelDocument
    {
        public string? Path { get; set; }
    }

    private sealed class OutputDocument
    {
        public string? Table { get; set; }
        public string? Mode { get; set; }
        public List<string>? Passthrough { get; set; }
    }
}
