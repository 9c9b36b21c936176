namespace BatchScoring.Core.Errors;

/// <summary>An error caused by user input (a job file, a model, source data) rather than a bug.</summary>
public class BatchScoringException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>The model's input schema does not fit the source.</summary>
public sealed class SchemaMismatchException(string message) : BatchScoringException(message);
