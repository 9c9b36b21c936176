using BatchScoring.Core.Models;

namespace BatchScoring.Postgres.Registry;

/// <summary>
/// One registered model version (a row of <c>scoring.models</c> with its aliases).
/// <see cref="FilePath"/> is the file in the model store; <see cref="Sha256"/> is what it must still hash to.
/// </summary>
public sealed record ModelRecord(
    long ModelId,
    string Name,
    int Version,
    ModelFormat Format,
    string FilePath,
    string Sha256,
    string MetricsJson,
    bool HasReferenceProfile,
    DateTime CreatedAt,
    IReadOnlyList<string> Aliases)
{
    public override string ToString() => $"{Name}@{Version}";
}
