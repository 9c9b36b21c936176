using BatchScoring.Core.Scoring;

namespace BatchScoring.Models.Loading;

/// <summary>A model ready to score, with the name and version recorded on every run and output row.</summary>
public sealed record LoadedModel(string Name, string Version, string Path, IScorer Scorer);
