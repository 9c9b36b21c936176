using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using BatchScoring.Core.Jobs;
using BatchScoring.Testing;
using Json.Schema;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace BatchScoring.Core.Tests.Jobs;

/// <summary>Keeps <c>jobs/job.schema.json</c> in step with the parser: the same keys, and the same files accepted.</summary>
public class JobSchemaTests
{
    private static readonly string SchemaPath = Path.Combine(RepositoryRoot.Path, "jobs", "job.schema.json");
    private static readonly JsonObject Schema = JsonNode.Parse(File.ReadAllText(SchemaPath))!.AsObject();
    // Built once: the library registers a schema by its $id and refuses a second registration.
    private static readonly JsonSchema CompiledSchema = JsonSchema.FromText(File.ReadAllText(SchemaPath));

    [Fact]
    public void The_schema_names_exactly_the_keys_the_parser_accepts()
    {
        var schemaSections = new SortedDictionary<string, List<string>>(StringComparer.Ordinal);
        CollectSections(Schema, "", schemaSections);

        var parserSections = JobFileKeys.Sections.ToDictionary(s => s.Key, s => s.Value.Order(StringComparer.Ordinal).ToList());
        Assert.Equal(
            parserSections.OrderBy(s => s.Key, StringComparer.Ordinal).Select(s => $"{s.Key}: {string.Join(", ", s.Value)}"),
            schemaSections.Select(s => $"{s.Key}: {string.Join(", ", s.Value.Order(StringComparer.Ordinal))}"));
    }

    public static TheoryData<string> JobFiles()
    {
        var files = new TheoryData<string>();
        foreach (var file in Directory.EnumerateFiles(Path.Combine(RepositoryRoot.Path, "jobs"), "*.yaml"))
            files.Add(file);
        files.Add(Path.Combine(AppContext.BaseDirectory, "Jobs", "full-job.yaml"));
        return files;
    }

    [Theory]
    [MemberData(nameof(JobFiles))]
    public void Job_files_the_parser_accepts_pass_the_schema(string file)
    {
        JobSpecLoader.LoadFile(file);
        var results = Evaluate(File.ReadAllText(file));
        Assert.True(results.IsValid, $"{file} fails the schema: {Describe(results)}");
    }

    [Fact]
    public void A_parquet_only_output_passes_the_schema()
    {
        const string yaml = """
            name: churn
            source: { parquet: data/customers/, key_columns: [customer_id] }
            model: churn@champion
            output: { parquet_folder: exports/churn }
            """;
        JobSpecLoader.Parse(yaml, "jobs/churn.yaml");
        Assert.True(Evaluate(yaml).IsValid, Describe(Evaluate(yaml)));
    }

    [Theory]
    [InlineData("colour: blue")]
    [InlineData("enabled: maybe")]
    [InlineData("window: { size: 1 day }")]
    [InlineData("partitioning: { buckets: 0 }")]
    [InlineData("schedule: { cron: '0 0 2 * * ?', misfire: later }")]
    [InlineData("drift: { features: { tenure: { method: guess } } }")]
    [InlineData("output: { mode: append }")]
    public void Files_the_parser_refuses_fail_the_schema_too(string extra)
    {
        var output = extra.StartsWith("output:", StringComparison.Ordinal) ? "" : "output: { table: scored.churn }";
        var yaml = $"""
            name: churn
            source: {"{"} table: public.customers, key_columns: [customer_id], timestamp_column: updated_at {"}"}
            model: churn@champion
            {output}
            {extra}
            """;
        Assert.Throws<JobSpecException>(() => JobSpecLoader.Parse(yaml, "jobs/churn.yaml"));
        Assert.False(Evaluate(yaml).IsValid);
    }

    private static EvaluationResults Evaluate(string yaml)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(yaml));
        using var document = JsonDocument.Parse(ToJson(stream.Documents[0].RootNode)!.ToJsonString());
        return CompiledSchema.Evaluate(document.RootElement, new EvaluationOptions { OutputFormat = OutputFormat.List });
    }

    private static string Describe(EvaluationResults results)
        => string.Join("; ", (results.Details ?? []).Where(d => d.Errors is not null)
            .SelectMany(d => d.Errors!.Select(e => $"{d.InstanceLocation}: {e.Value}")));

    /// <summary>YAML to JSON with YAML 1.2 core-schema typing of plain scalars, as an editor's YAML plugin reads them.</summary>
    private static JsonNode? ToJson(YamlNode node) => node switch
    {
        YamlMappingNode mapping => new JsonObject(mapping.Children.Select(c => KeyValuePair.Create(((YamlScalarNode)c.Key).Value!, ToJson(c.Value)))),
        YamlSequenceNode sequence => new JsonArray(sequence.Children.Select(ToJson).ToArray()),
        YamlScalarNode { Style: ScalarStyle.Plain } scalar => Plain(scalar.Value ?? ""),
        YamlScalarNode scalar => JsonValue.Create(scalar.Value),
        _ => throw new NotSupportedException(node.GetType().Name),
    };

    private static JsonValue? Plain(string text)
    {
        if (text is "" or "~" or "null")
            return null;
        if (text is "true" or "false")
            return JsonValue.Create(text == "true");
        if (long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var integer))
            return JsonValue.Create(integer);
        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var number))
            return JsonValue.Create(number);
        return JsonValue.Create(text);
    }

    /// <summary>Section path → property names, following $ref, oneOf/anyOf branches and additionalProperties (as <c>*</c>).</summary>
    private static void CollectSections(JsonObject schema, string path, IDictionary<string, List<string>> sections)
    {
        schema = Resolve(schema);
        if (schema["properties"] is JsonObject properties)
        {
            if (!sections.TryGetValue(path, out var keys))
                sections[path] = keys = [];
            foreach (var (key, child) in properties)
            {
                if (!keys.Contains(key))
                    keys.Add(key);
                CollectSections(child!.AsObject(), path.Length == 0 ? key : $"{path}.{key}", sections);
            }
        }
        if (schema["additionalProperties"] is JsonObject any)
            CollectSections(any, $"{path}.{JobFileKeys.AnyName}", sections);
        foreach (var combinator in new[] { "oneOf", "anyOf" })
        {
            if (schema[combinator] is JsonArray branches)
            {
                foreach (var branch in branches)
                    CollectSections(branch!.AsObject(), path, sections);
            }
        }
    }

    private static JsonObject Resolve(JsonObject schema)
        => schema["$ref"] is JsonValue reference
            ? Schema["$defs"]![reference.GetValue<string>().Replace("#/$defs/", "", StringComparison.Ordinal)]!.AsObject()
            : schema;
}
