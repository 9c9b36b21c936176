using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using BatchScoring.Core.Errors;
using BatchScoring.Core.Jobs;
using BatchScoring.Core.Planning;
using BatchScoring.Core.Runs;
using BatchScoring.Core.Scoring;
using BatchScoring.Models.Loading;
using BatchScoring.Postgres.Ledger;
using BatchScoring.Worker.Hosting;
using BatchScoring.Worker.Observability;
using BatchScoring.Worker.Observability.Logging;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Serilog.Context;

namespace BatchScoring.Worker.Execution;

/// <summary>
/// Starts runs and sees them through: checks the model against the source and the output table
/// before any row is read, plans the partitions, creates the output tables, records the run and its partitions in the ledger,
/// then takes part in the run as a worker (alongside any <c>worker</c> processes) until it is over.
/// A run that cannot start is still recorded, as failed, with the reason.
/// </summary>
internal sealed class JobRunner(
    RunLedger runs,
    RunContextFactory contexts,
    PartitionWorkerPool pool,
    DriftReferenceResolver driftBaselines,
    ShadowRunLedger shadowLedger,
    RunObserver observer,
    IOptions<WorkerOptions> workerOptions,
    ILogger<JobRunner> logger)
{
    /// <param name="window">The source time the run scores (a scheduled fire's window); null scores the whole source.</param>
    public Task<RunOutcome> RunAsync(JobSpec job, string trigger, CancellationToken cancellationToken, TimeWindow? window = null)
        => RunAsync(job, new RunRequest(trigger, window), cancellationToken);

    public async Task<RunOutcome> RunAsync(JobSpec job, RunRequest request, CancellationToken cancellationToken, IProgress<RunProgress>? progress = null)
    {
        var stopwatch = Stopwatch.StartNew();
        using var jobScope = LogContext.PushProperty(LogScope.JobName, job.Name);
        await runs.ThrowIfInProgressAsync(job.Name, cancellationToken);
        LoadedModel? model = null;
        try
        {
            model = await contexts.ResolveModelAsync(job, job.Model.Champion, cancellationToken);
            var challenger = job.Model.Challenger is { } reference ? await contexts.ResolveModelAsync(job, reference, cancellationToken) : null;
            var context = await contexts.PrepareAsync(job, model, challenger, cancellationToken);
            context = await driftBaselines.ResolveAsync(context, cancellationToken);
            var plan = await PlanAsync(job, context.Source, request, cancellationToken);
            context = await contexts.CreateOutputsAsync(context, cancellationToken);
            var runId = await runs.CreateRunAsync(NewRun(job, model, request, plan) with
            {
                DriftReferenceJson = context.Drift?.Reference.ToJson(),
                DriftReferenceName = context.Drift?.Description,
                DriftReferenceError = context.DriftUnavailable,
            }, cancellationToken);
            contexts.Remember(runId, context);
            if (context.Shadow is { } shadow)
                await shadowLedger.RecordChallengerAsync(runId, shadow.Challenger.Name, shadow.Challenger.Version, shadow.Output.Table.ToString(), CancellationToken.None);
            using var runScope = LogContext.PushProperty(LogScope.RunId, runId);
            logger.LogInformation("Run {RunId} of job {JobName} started ({Trigger}): {Partitions} partitions, model {ModelVersion}, output {Output}",
                runId, job.Name, request.Trigger, plan.Count, model.Version, context.Job.Output.Describe());
            await WorkUntilOverAsync(runId, request, progress, cancellationToken);
            await AwaitFinalizerAsync(runId);
            return await OutcomeAsync(runId, job, stopwatch.Elapsed);
        }
        catch (BatchScoringException e) when (e is not RunInProgressException)
        {
            return await RecordFailedStartAsync(job, request, model, e.Message, stopwatch.Elapsed);
        }
    }

    /// <summary>The partitions a run would have, without creating it (<c>backfill --dry-run</c>).</summary>
    public async Task<IReadOnlyList<PlannedPartition>> DryRunAsync(JobSpec job, RunRequest request, CancellationToken cancellationToken)
    {
        var model = await contexts.ResolveModelAsync(job, job.Model.Champion, cancellationToken);
        var context = await contexts.PrepareAsync(job, model, null, cancellationToken);
        return await PlanAsync(job, context.Source, request, cancellationToken);
    }

    /// <summary>Reopens a run's unfinished partitions and works on them until the run is over (<c>retry</c>).</summary>
    public async Task<RunOutcome> RetryAsync(long runId, CancellationToken cancellationToken, IProgress<RunProgress>? progress = null)
    {
        var stopwatch = Stopwatch.StartNew();
        var run = await runs.GetAsync(runId, cancellationToken) ?? throw new BatchScoringException($"There is no run {runId}.");
        if (run.Status == RunStatus.Succeeded)
            throw new BatchScoringException($"Run {runId} of job '{run.JobName}' succeeded: there is nothing to retry (the run is left unchanged).");
        // A finished run becomes running again, which the ledger allows only while no other run of the job is in progress.
        if (run.Status != RunStatus.Running)
            await runs.ThrowIfInProgressAsync(run.JobName, cancellationToken);
        // Rebuilt first, so that a run that cannot be scored any more (model file changed, job gone) is refused before anything is reopened.
        var context = await contexts.ForRunAsync(runId, cancellationToken);
        var reopened = await runs.ReopenAsync(runId, cancellationToken);
        logger.LogInformation("Run {RunId}: reopened {Partitions} partitions", runId, reopened);
        await WorkUntilOverAsync(runId, new RunRequest(RunTrigger.Retry), progress, cancellationToken);
        await AwaitFinalizerAsync(runId);
        return await OutcomeAsync(runId, context.Job, stopwatch.Elapsed);
    }

    /// <param name="stopping">
    /// Ctrl+C in a command: stops the run gracefully (<see cref="GracefulRunStop"/>) rather than abandoning it. The
    /// stop of a worker whose schedule fired the run: hands its partitions off and leaves the run to the other workers.
    /// </param>
    private async Task WorkUntilOverAsync(long runId, RunRequest request, IProgress<RunProgress>? progress, CancellationToken stopping)
    {
        using var over = new CancellationTokenSource();
        var reporter = progress is null ? Task.CompletedTask : ReportProgressAsync(runId, progress, over.Token);
        var stop = Task.CompletedTask;
        var options = workerOptions.Value;
        var slots = request.Slots ?? options.EffectiveSlots;
        try
        {
            if (request.Trigger == RunTrigger.Schedule)
            {
                await pool.RunAsync(runId, slots, stopping);
                return;
            }
            var graceful = new GracefulRunStop(runs, pool, options.ShutdownGrace, options.PollInterval, logger);
            // Disposing the registration waits for a callback in progress, so `stop` is settled once the using ends.
            using (stopping.Register(() => stop = graceful.StopAsync(runId, over.Token)))
                await pool.RunAsync(runId, slots, CancellationToken.None);
        }
        finally
        {
            await over.CancelAsync();
            await stop.ContinueWith(_ => { }, TaskScheduler.Default);
            await reporter.ContinueWith(_ => { }, TaskScheduler.Default);
        }
    }

    /// <summary>
    /// When another worker finished the run, its finalizer may still be writing the drift report (or Parquet's
    /// <c>_SUCCESS</c>) that whoever started the run reads next: waits for it, for at most <c>Worker:LeaseDuration</c>.
    /// </summary>
    private async Task AwaitFinalizerAsync(long runId)
    {
        var options = workerOptions.Value;
        var run = await runs.GetAsync(runId, CancellationToken.None);
        if (run?.Status is not (RunStatus.Succeeded or RunStatus.PartiallyFailed))
            return;
        var waited = Stopwatch.StartNew();
        while (!await runs.IsFinalizedAsync(runId, CancellationToken.None))
        {
            if (waited.Elapsed >= options.LeaseDuration)
            {
                logger.LogWarning("Run {RunId}: the worker that finished it is still finalizing after {Seconds:F0} s; its drift report may come later",
                    runId, waited.Elapsed.TotalSeconds);
                return;
            }
            await Task.Delay(options.PollInterval / 4);
        }
    }

    /// <summary>Reports every second, and once more when the run is over (<paramref name="over"/>), so even a run of a moment shows its first and last state.</summary>
    private async Task ReportProgressAsync(long runId, IProgress<RunProgress> progress, CancellationToken over)
    {
        while (true)
        {
            var all = await runs.PartitionsAsync(runId, CancellationToken.None);
            // A cancelled partition is not done: its rows were rolled back.
            progress.Report(new RunProgress(runId, all.Count, all.Count(p => p.Status is PartitionStatus.Succeeded or PartitionStatus.Failed),
                all.Sum(p => p.RowsScored), all.Sum(p => p.EstimatedRows ?? 0), all.Count(p => p.Status == PartitionStatus.Running), all.Count(p => p.Status == PartitionStatus.Failed),
                all.Count(p => p.Status == PartitionStatus.Cancelled), all.Sum(p => p.RowsUnchanged)));
            if (over.IsCancellationRequested)
                return;
            await Task.Delay(TimeSpan.FromSeconds(1), over).ContinueWith(_ => { }, TaskScheduler.Default);
        }
    }

    private async Task<IReadOnlyList<PlannedPartition>> PlanAsync(JobSpec job, IBatchSource source, RunRequest request, CancellationToken cancellationToken)
    {
        var planned = await source.PlanAsync(request.Window, job.Partitioning, cancellationToken);
        var skip = await runs.KeysToSkipAsync(job.Name, request.Reprocess, cancellationToken);
        return planned.Where(p => !skip.Contains(p.Bounds.Key)).ToArray();
    }

    private static NewRun NewRun(JobSpec job, LoadedModel model, RunRequest request, IReadOnlyList<PlannedPartition> plan)
    {
        var yaml = File.Exists(job.FilePath) ? File.ReadAllText(job.FilePath) : EmbeddedJobs.Read(job.Name);
        var hash = yaml is null ? null : Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(yaml)))[..16];
        return new NewRun(
            new RunStart(job.Name, request.Trigger, model.Name, model.Version, hash, request.Window),
            request.Window, yaml, job.FilePath, model.Path, job.Retries.MaxAttempts, job.Concurrency,
            job.Timeout is { } timeout ? DateTime.UtcNow + timeout : null, plan);
    }

    private async Task<RunOutcome> OutcomeAsync(long runId, JobSpec job, TimeSpan elapsed)
    {
        var run = await runs.GetAsync(runId, CancellationToken.None)
            ?? throw new InvalidOperationException($"Run {runId} vanished from the ledger.");
        return new RunOutcome(runId, run.Status, run.RowsRead, run.RowsScored, elapsed, job.Output.Destination, run.Error)
        {
            RowsFailed = run.RowsFailed,
            RowsUnchanged = run.RowsUnchanged,
        };
    }

    private async Task<RunOutcome> RecordFailedStartAsync(JobSpec job, RunRequest request, LoadedModel? model, string error, TimeSpan elapsed)
    {
        var runId = await runs.RecordFailedStartAsync(
            new RunStart(job.Name, request.Trigger, model?.Name, model?.Version, null, request.Window), error, CancellationToken.None);
        using var runScope = LogContext.PushProperty(LogScope.RunId, runId);
        logger.LogError("Run {RunId} of job {JobName} failed before reading any row: {Error}", runId, job.Name, error);
        await observer.RunFinishedAsync(runId, job.Output.Table?.ToString());
        return new RunOutcome(runId, RunStatus.Failed, 0, 0, elapsed, job.Output.Destination, error);
    }
}
