using System.Text.Json;
using System.Text.Json.Serialization;
using BatchScoring.Models.Loading;

namespace BatchScoring.Worker.Cli;

/// <summary>What <c>models register</c> checks before a file enters the store: that it loads and maps onto output columns.</summary>
internal static class ModelCheck
{
    internal static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { Converters = { new JsonStringEnumConverter() } };

    /// <summary>The model's description as stored in <c>scoring.models.description</c>, and a one-line summary; a model that cannot be loaded is refused.</summary>
    public static (string Json, string Summary) Describe(ModelFileLoader loader, string file)
    {
        if (!File.Exists(file))
            throw new FileNotFoundException($"Model file {Path.GetFullPath(file)} does not exist.");
        var scorer = loader.Load(file).Scorer;
        if (scorer is not IModelScorer { Description: var description })
            throw new InvalidOperationException($"{scorer.GetType().Name} does not describe itself.");
        var json = JsonSerializer.Serialize(description, Json);
        return (json, $"{description.Format}, {description.Task}, {description.Signature}");
    }
}
