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
    ModelResolver models,
    ShadowRunLedger shadowLedger,
    IOptions<WorkerOptions> workerOptions,
    ILogger<JobRunner> logger)
{
    private static readonly TimeSpan ProgressInterval = TimeSpan.FromSeconds(5);

    public async Task<RunOutcome> RunAsync(JobSpec job, string trigger, CancellationToken cancellationToken)
    {
        var stopwatch = Stopwatch.StartNew();
        LoadedModel? model = null;
        LoadedModel? challenger = null;
        Exception? loadError = null;
        try
        {
            model = await models.ResolveAsync(job, job.Model.Champion, cancellationToken);
            if (job.Model.Challenger is { } challengerReference)
                challenger = await models.ResolveAsync(job, challengerReference, cancellationToken);
        }
        catch (BatchScoringException e)
        {
            loadError = e;
        }

        var runId = await ledger.StartAsync(
            new RunStart(job.Name, trigger, model?.Name ?? job.Model.Champion.Name ?? Path.GetFileNameWithoutExtension(job.Model.Champion.Path), model?.Version, null),
            cancellationToken);
        using var jobScope = LogContext.PushProperty("JobName", job.Name);
        using var runScope = LogContext.PushProperty("RunId", runId);
        logger.LogInformation("Run {RunId} of job {JobName} started ({Trigger}), model {ModelVersion}", runId, job.Name, trigger, model?.Version);

        long rowsRead = 0;
        try
        {
            if (loadError is not null)
                throw loadError;
            if (challenger is not null)
                await shadowLedger.RecordChallengerAsync(runId, challenger.Name, challenger.Version, ShadowOutput.TableFor(job.Name, job.Output).ToString(), cancellationToken);
            rowsRead = await ScoreAsync(job, model!, challenger, runId, stopwatch, cancellationToken);
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

    private async Task<long> ScoreAsync(JobSpec job, LoadedModel model, LoadedModel? challenger, long runId, Stopwatch stopwatch, CancellationToken cancellationToken)
    {
        var table = job.Source is PostgresTableSourceSpec t ? t.Table
            : throw new BatchScoringException($"Job '{job.Name}': only PostgreSQL table sources are supported yet.");
        var source = new PostgresTableSource(dataSource, table);
        var sourceColumns = await source.DescribeAsync(cancellationToken);
        var keyColumns = job.Source.KeyColumns.Select(k => sourceColumns.FirstOrDefault(c => c.Name == k)
            ?? throw new SchemaMismatchException($"Job '{job.Name}': key column '{k}' is missing from source {table}.")).ToArray();
        var inputColumns = InputBinder.Bind(job.Name, table.ToString(), sourceColumns, model.Scorer.Inputs);
        var challengerColumns = challenger is null ? [] : InputBinder.Bind(job.Name, table.ToString(), sourceColumns, challenger.Scorer.Inputs);
        var readColumns = keyColumns.Concat(inputColumns).Concat(challengerColumns).DistinctBy(c => c.Name).ToArray();

        var output = new OutputTableSchema(job.Output.Table, keyColumns, model.Scorer.Outputs);
        await using var writer = await ScoredTableWriter.BeginAsync(dataSource, output, runId, model.Version, cancellationToken);
        await using var shadow = challenger is null ? null : await ShadowRun.BeginAsync(
            dataSource, ShadowOutput.Schema(job.Name, job.Output, keyColumns, challenger.Scorer.Outputs), challenger, runId, cancellationToken);

        long rows = 0;
        var nextProgress = ProgressInterval;
        await foreach (var batch in source.ReadAsync(readColumns, workerOptions.Value.BatchSize, cancellationToken))
        {
            var scores = model.Scorer.Score(batch);
            await writer.WriteAsync(new ScoredBatch(batch, scores), cancellationToken);
            if (shadow is not null)
                await shadow.ScoreAsync(batch, scores, cancellationToken);
            rows += batch.Count;
            if (stopwatch.Elapsed >= nextProgress)
            {
                logger.LogInformation("Run {RunId}: {Rows} rows scored ({RowsPerSecond:F0} rows/s)", runId, rows, rows / stopwatch.Elapsed.TotalSeconds);
                nextProgress = stopwatch.Elapsed + ProgressInterval;
            }
        }
        if (shadow is not null)
            await shadow.CommitAsync(cancellationToken);
        await writer.MergeAsync(cancellationToken);
        if (shadow is not null)
            await ShadowRunLedger.RecordAgreementAsync(writer.Connection, writer.Transaction, runId, shadow.Agreement, cancellationToken);
        await RunLedger.MarkSucceededAsync(writer.Connection, writer.Transaction, runId, new RunCounts(rows, rows, 0), cancellationToken);
        await writer.CommitAsync(cancellationToken);
        return rows;
    }
}
