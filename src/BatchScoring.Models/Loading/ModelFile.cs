using BatchScoring.Core.Models;

namespace BatchScoring.Models.Loading;

/// <summary>
/// A model file to load and the name and version to record it under. A registered model carries
/// the SHA-256 it was registered with, and the file must still have it.
/// </summary>
public sealed record ModelFile(string Name, string Version, string Path, ModelFormat Format, string? ExpectedSha256 = null);
