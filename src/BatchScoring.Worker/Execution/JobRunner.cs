using System.Diagnostics;
using BatchScoring.Core.Batches;
using BatchScoring.Core.Errors;
using BatchScoring.Core.Jobs;
using BatchScoring.Core.Runs;
using BatchScoring.Core.Scoring;
using BatchScoring.Models.Loading;
using BatchScoring.Postgres.Ledger;
using BatchScoring.Postgres.Output;
using BatchScoring.Postgres.Sources;
using BatchScoring.Worker.Hosting;
using BatchScoring.Worker.Observability;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using Serilog.Context;

namespace BatchScoring.Worker.Execution;

/// <summary>
/// Runs one job end to end: records the run, checks the model against the source before any row
/// is read, streams source batches through the scorer into the output table, and commits the
/// output together with the run's success. Any failure leaves the output table untouched.
/// </summary>
public sealed class JobRunner(
    NpgsqlDataSource dataSource,
    RunLedger ledger,
    ModelFileLoader models,
    IOptions<WorkerOptions> workerOptions,
    IOptions<ModelsOptions> modelsOptions,
    RunObserver observer,
    ILogger<JobRunner> logger)
{
    private static readonly TimeSpan ProgressInterval = TimeSpan.FromSeconds(5);

    public async Task<RunOutcome> RunAsync(JobSpec job, string trigger, CancellationToken cancellationToken)
    {
        var outcome = await ExecuteAsync(job, trigger, cancellationToken);
        await observer.RunFinishedAsync(job, trigger, outcome);
        return outcome;
    }

    private async Task<RunOutcome> ExecuteAsync(JobSpec job, string trigger, CancellationToken cancellationToken)
    {
        var stopwatch = Stopwatch.StartNew();
        var modelPath = Path.Combine(modelsOptions.Value.Directory, job.Model.Champion.Path
            ?? throw new BatchScoringException($"Job '{job.Name}': registry models ({job.Model.Champion}) are not supported yet; give model.path."));
        LoadedModel? model = null;
        Exception? loadError = null;
        try
        {
            model = models.Load(modelPath);
        }
        catch (BatchScoringException e)
        {
            loadError = e;
        }

        var runId = await ledger.StartAsync(
            new RunStart(job.Name, trigger, model?.Name ?? Path.GetFileNameWithoutExtension(modelPath), model?.Version, null), cancellationToken);
        using var jobScope = LogContext.PushProperty("JobName", job.Name);
        using var runScope = LogContext.PushProperty("RunId", runId);
        logger.LogInformation("Run {RunId} of job {JobName} started ({Trigger}), model {ModelVersion}", runId, job.Name, trigger, model?.Version);

        long rowsRead = 0;
        try
        {
            if (loadError is not null)
                throw loadError;
            rowsRead = await ScoreAsync(job, model!, runId, stopwatch, cancellationToken);
            logger.LogInformation("Run {RunId} succeeded: {Rows} rows in {Seconds:F1} s", runId, rowsRead, stopwatch.Elapsed.TotalSeconds);
            return new RunOutcome(runId, RunStatus.Succeeded, rowsRead, rowsRead, stopwatch.Elapsed, job.Output.Table.ToString(), null);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            var message = e is BatchScoringException ? e.Message : $"Job '{job.Name}': {e.Message}";
            logger.LogError(e, "Run {RunId} failed: {Error}", runId, message);
            await ledger.MarkFinishedAsync(runId, RunStatus.Failed, message, new RunCounts(rowsRead, 0, 0), CancellationToken.None);
            return new RunOutcome(runId, RunStatus.Failed, rowsRead, 0, stopwatch.Elapsed, job.Output.Table.ToString(), message);
        }
        catch (OperationCanceledException)
        {
            logger.LogWarning("Run {RunId} cancelled", runId);
            await ledger.MarkFinishedAsync(runId, RunStatus.Cancelled, "cancelled", new RunCounts(rowsRead, 0, 0), CancellationToken.None);
            return new RunOutcome(runId, RunStatus.Cancelled, rowsRead, 0, stopwatch.Elapsed, job.Output.Table.ToString(), "cancelled");
        }
    }

    private async Task<long> ScoreAsync(JobSpec job, LoadedModel model, long runId, Stopwatch stopwatch, CancellationToken cancellationToken)
    {
        var table = job.Source is PostgresTableSourceSpec t ? t.Table
            : throw new BatchScoringException($"Job '{job.Name}': only PostgreSQL table sources are supported yet.");
        var source = PostgresRelationSource.ForTable(dataSource, (PostgresTableSourceSpec)job.Source);
        var sourceColumns = await source.DescribeAsync(cancellationToken);
        var keyColumns = job.Source.KeyColumns.Select(k => sourceColumns.FirstOrDefault(c => c.Name == k)
            ?? throw new SchemaMismatchException($"Job '{job.Name}': key column '{k}' is missing from source {table}.")).ToArray();
        var inputColumns = InputBinder.Bind(job.Name, table.ToString(), sourceColumns, model.Scorer.Inputs);
        var readColumns = keyColumns.Concat(inputColumns).DistinctBy(c => c.Name).ToArray();

        var output = new OutputTableSchema(job.Output.Table, job.Output.Mode, keyColumns, [], model.Scorer.Outputs);
        await output.EnsureAsync(dataSource, cancellationToken);
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using var writer = await PartitionOutputWriter.BeginAsync(connection, transaction, output, runId, 0, model.Version, cancellationToken);

        long rows = 0;
        var nextProgress = ProgressInterval;
        await foreach (var batch in source.ReadAsync(readColumns, PartitionBounds.Everything, workerOptions.Value.BatchSize, cancellationToken))
        {
            var scores = model.Scorer.Score(batch);
            await writer.WriteAsync(new ScoredBatch(batch, scores), cancellationToken);
            rows += batch.Count;
            if (stopwatch.Elapsed >= nextProgress)
            {
                logger.LogInformation("Run {RunId}: {Rows} rows scored ({RowsPerSecond:F0} rows/s)", runId, rows, rows / stopwatch.Elapsed.TotalSeconds);
                nextProgress = stopwatch.Elapsed + ProgressInterval;
            }
        }
        await writer.MergeAsync(cancellationToken);
        await RunLedger.MarkSucceededAsync(connection, transaction, runId, new RunCounts(rows, rows, 0), cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return rows;
    }
}
