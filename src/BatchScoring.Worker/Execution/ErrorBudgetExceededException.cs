using BatchScoring.Core.Errors;
using BatchScoring.Core.Scoring;

namespace BatchScoring.Worker.Execution;

/// <summary>More rows of a partition failed than the job's <c>errors</c> thresholds allow; retrying cannot help.</summary>
internal sealed class ErrorBudgetExceededException(string job, string partitionKey, long failedRows, long rowsRead, DeadLetter example)
    : BatchScoringException(
        $"Job '{job}' partition {partitionKey}: {failedRows} of {rowsRead} rows could not be scored, more than the job's errors thresholds allow " +
        $"(e.g. key {example.RowKey}: {example.Reason}).");
