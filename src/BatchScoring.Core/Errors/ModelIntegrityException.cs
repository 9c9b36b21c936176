namespace BatchScoring.Core.Errors;

/// <summary>A registered model file no longer has the content (SHA-256) it was registered with.</summary>
public sealed class ModelIntegrityException(string message) : BatchScoringException(message);
