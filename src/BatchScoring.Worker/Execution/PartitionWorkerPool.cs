using System.Collections.Concurrent;
using BatchScoring.Core.Errors;
using BatchScoring.Core.Runs;
using BatchScoring.Postgres;
using BatchScoring.Postgres.Ledger;
using BatchScoring.Worker.Hosting;
using BatchScoring.Worker.Observability;
using BatchScoring.Worker.Observability.Logging;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Serilog.Context;

namespace BatchScoring.Worker.Execution;

/// <summary>
/// This process's worker slots: each claims a partition from the ledger, scores it under a lease
/// that a heartbeat renews, records the attempt, and finishes the run when it scored its last
/// partition. Scoped to one run (the <c>run</c>, <c>backfill</c> and <c>retry</c> commands take part in
/// their own run) or to every run (the <c>worker</c> service, which also picks up runs whose process died).
/// Database outages are waited out: a slot that cannot reach the ledger retries after a pause.
/// </summary>
internal sealed class PartitionWorkerPool(
    PartitionLeases leases,
    RunLedger runs,
    RunContextFactory contexts,
    PartitionExecutor executor,
    RunFinalizer finalizer,
    RunObserver observer,
    IOptions<WorkerOptions> options,
    ILogger<PartitionWorkerPool> logger)
{
    private readonly ConcurrentDictionary<long, HeldPartition> _held = new();
    private readonly ConcurrentDictionary<long, bool> _draining = new();
    // Completed (and replaced) whenever a slot ends an attempt, to wake the idle slots (IdleAsync).
    private TaskCompletionSource _attemptEnded = NewSignal();
    private readonly Random _random = new();

    /// <summary>The lease owner name of this process: host, process id and a random suffix.</summary>
    public string Owner { get; } = $"{Environment.MachineName}:{Environment.ProcessId}:{Guid.NewGuid().ToString("N")[..6]}";

    /// <summary>
    /// Works until the run is over (<paramref name="runId"/> given) or until <paramref name="handOff"/> (any run). The
    /// hand-off of a stopping process: no more claims, the partitions being scored get <c>Worker:ShutdownGrace</c> to
    /// commit, and those still running then are rolled back and their leases released at once, for another worker to
    /// claim without waiting for the lease to expire. Their runs stay running.
    /// </summary>
    public async Task RunAsync(long? runId, int slots, CancellationToken handOff)
    {
        using var abort = new CancellationTokenSource();
        using var over = new CancellationTokenSource();
        var grace = options.Value.ShutdownGrace;
        using var stopping = handOff.Register(() =>
        {
            logger.LogWarning("Stopping: no more partitions are claimed; the ones being scored have {GraceSeconds} s to commit, then their leases are handed back",
                grace.TotalSeconds);
            abort.CancelAfter(grace);
        });
        var heartbeat = HeartbeatAsync(over.Token);
        // One slot more than may read at once: a partition's merge and commit (the server's work, after its last row is
        // staged) overlap the next partition's read instead of leaving the process idle (docs/BENCHMARKS.md).
        using var reading = new SemaphoreSlim(Math.Max(1, slots));
        var workers = Enumerable.Range(0, Math.Max(1, slots) + 1).Select(_ => SlotAsync(runId, reading, handOff, abort.Token)).ToArray();
        try
        {
            await Task.WhenAll(workers);
        }
        finally
        {
            await over.CancelAsync();
            await heartbeat.ContinueWith(_ => { }, TaskScheduler.Default);
        }
    }

    /// <summary>
    /// Lets the partitions of <paramref name="runId"/> being scored here run on after the run's cancellation is
    /// requested, until <see cref="CancelRun"/>: the graceful stop of <see cref="GracefulRunStop"/>.
    /// </summary>
    public void Drain(long runId) => _draining[runId] = true;

    /// <summary>Stops the partitions of a run this process is scoring, marking them cancelled.</summary>
    public void CancelRun(long runId)
    {
        _draining.TryRemove(runId, out _);
        foreach (var held in _held.Values.Where(h => h.Partition.RunId == runId))
            held.Stop(StopReason.Cancelled);
    }

    /// <summary>Marks every partition held here cancelled and finishes their runs if that was the last: a forced exit's last step.</summary>
    public async Task AbandonHeldAsync(CancellationToken cancellationToken)
    {
        var held = _held.Values.Select(h => h.Partition).ToArray();
        foreach (var partition in held)
            await leases.MarkCancelledAsync(partition, Owner, cancellationToken);
        foreach (var runId in held.Select(p => p.RunId).Distinct())
            await runs.FinishRunIfDoneAsync(runId, cancellationToken);
    }

    /// <param name="reading">The read slots (<see cref="ReadPermit"/>): a slot claims a partition only while it holds one.</param>
    /// <param name="handOff">Stops claiming.</param>
    /// <param name="abort">Stops the partition being scored, handing it back.</param>
    private async Task SlotAsync(long? runId, SemaphoreSlim reading, CancellationToken handOff, CancellationToken abort)
    {
        var lease = options.Value.LeaseDuration;
        var cancellationToken = handOff;
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                using var permit = await ReadPermit.AcquireAsync(reading, cancellationToken);
                var claim = await leases.ClaimAsync(Owner, lease, runId, cancellationToken);
                if (claim is null)
                {
                    permit.Release();
                    if (runId is { } id && await IsOverAsync(id, cancellationToken))
                        return;
                    if (runId is null)
                        await FinishIdleRunsAsync(cancellationToken);
                    await IdleAsync(cancellationToken);
                    continue;
                }
                await ExecuteAsync(claim, permit, abort);
                await FinishIfDoneAsync(claim.RunId, abort);
                WakeIdleSlots();
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested || abort.IsCancellationRequested)
            {
                return;
            }
            catch (DatabaseUnavailableException e)
            {
                logger.LogWarning("The ledger is unreachable ({Error}); retrying in {Delay}", e.Message, options.Value.PollInterval * 3);
                await Task.Delay(options.Value.PollInterval * 3, cancellationToken).ContinueWith(_ => { }, TaskScheduler.Default);
            }
        }
    }

    private async Task ExecuteAsync(ClaimedPartition claim, ReadPermit permit, CancellationToken cancellationToken)
    {
        using var run = LogContext.PushProperty(LogScope.RunId, claim.RunId);
        using var partitionScope = LogContext.PushProperty(LogScope.PartitionId, claim.PartitionId);
        var held = new HeldPartition(claim, cancellationToken);
        _held[claim.PartitionId] = held;
        var started = DateTime.UtcNow;
        RunContext? context = null;
        try
        {
            context = await contexts.ForRunAsync(claim.RunId, held.Token);
            using var job = LogContext.PushProperty(LogScope.JobName, context.Job.Name);
            held.CancelAfter(context.Job.PartitionTimeout);
            logger.LogDebug("Partition {PartitionKey} attempt {Attempt} started", claim.PartitionKey, claim.Attempt);
            var counts = await executor.ExecuteAsync(context, claim, Owner, permit, held.Token);
            logger.LogInformation("Partition {PartitionKey} succeeded: {Rows} rows scored, {Failed} dead-lettered in {Seconds:F1} s",
                claim.PartitionKey, counts.RowsScored, counts.RowsFailed, (DateTime.UtcNow - started).TotalSeconds);
            observer.PartitionFinished(context.Job.Name, PartitionStatus.Succeeded, DateTime.UtcNow - started, claim.Reclaimed);
        }
        catch (Exception e) when (held.Reason == StopReason.Cancelled)
        {
            logger.LogWarning("Partition {PartitionKey} cancelled ({Error})", claim.PartitionKey, e.Message);
            await RecordAsync(() => leases.MarkCancelledAsync(claim, Owner, CancellationToken.None));
        }
        catch (Exception e) when (held.Reason == StopReason.LeaseLost || e is LeaseLostException)
        {
            logger.LogWarning("Partition {PartitionKey}: lease lost to another worker; this attempt was rolled back", claim.PartitionKey);
        }
        catch (Exception e) when (cancellationToken.IsCancellationRequested)
        {
            logger.LogWarning("Partition {PartitionKey} handed back: the shutdown grace ended before it committed ({Error}); another worker claims it now",
                claim.PartitionKey, e.Message);
            await RecordAsync(() => leases.ReleaseAsync(claim, Owner, CancellationToken.None));
        }
        catch (Exception e)
        {
            var timedOut = context is not null && (held.Reason == StopReason.TimedOut || PostgresErrors.IsStatementTimeout(e));
            var message = timedOut ? PartitionTimeoutMessage.For(context!.Job.Name, context.Job.PartitionTimeout, claim.PartitionKey) : Describe(e);
            var permanent = e is SchemaMismatchException or ErrorBudgetExceededException;
            var retry = context?.Job.Retries ?? Core.Jobs.RetryPolicy.Default;
            var delay = retry.DelayAfter(claim.Attempt, _random);
            // A failure a job or its data causes is one line; its stack is for Debug. Anything else is a bug: keep the stack.
            var expected = timedOut || e is BatchScoringException;
            logger.LogWarning(expected ? null : e, "Partition {PartitionKey} attempt {Attempt} failed: {Error}", claim.PartitionKey, claim.Attempt, message);
            if (expected)
                logger.LogDebug(e, "Partition {PartitionKey} attempt {Attempt} failed", claim.PartitionKey, claim.Attempt);
            observer.PartitionFinished(context?.Job.Name ?? "unknown", PartitionStatus.Failed, DateTime.UtcNow - started, claim.Reclaimed);
            await RecordAsync(() => leases.FailAttemptAsync(claim, Owner, message, delay, permanent, new(0, 0, 0), CancellationToken.None));
        }
        finally
        {
            _held.TryRemove(claim.PartitionId, out _);
            held.Dispose();
        }
    }

    private static string Describe(Exception e) => e switch
    {
        BatchScoringException => e.Message,
        _ => PostgresErrors.Describe(e) ?? $"{e.GetType().Name}: {e.Message}",
    };

    /// <summary>Records an attempt's end; if the ledger is down the lease simply expires and the partition is claimed again.</summary>
    private async Task RecordAsync(Func<Task> record)
    {
        try
        {
            await record();
        }
        catch (DatabaseUnavailableException e)
        {
            logger.LogWarning("Could not record the attempt ({Error}); its lease will expire and it will be claimed again", e.Message);
        }
    }

    /// <summary>
    /// Waits <c>Worker:PollInterval</c>, or less when another slot of this process ends an attempt: the run may be over
    /// (the caller of <see cref="RunAsync"/> waits for every slot) or a retried partition claimable.
    /// </summary>
    private async Task IdleAsync(CancellationToken cancellationToken)
    {
        var poll = Task.Delay(options.Value.PollInterval, cancellationToken);
        await Task.WhenAny(poll, _attemptEnded.Task);
        cancellationToken.ThrowIfCancellationRequested();
    }

    private void WakeIdleSlots() => Interlocked.Exchange(ref _attemptEnded, NewSignal()).TrySetResult();

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private async Task FinishIfDoneAsync(long runId, CancellationToken cancellationToken)
    {
        var status = await runs.FinishRunIfDoneAsync(runId, cancellationToken);
        if (status is not null)
            await finalizer.OnFinishedAsync(runId, status, cancellationToken);
    }

    private async Task<bool> IsOverAsync(long runId, CancellationToken cancellationToken)
    {
        await runs.EnforceDeadlinesAsync(cancellationToken);
        await FinishIfDoneAsync(runId, cancellationToken);
        return await runs.IsFinishedAsync(runId, cancellationToken);
    }

    private async Task FinishIdleRunsAsync(CancellationToken cancellationToken)
    {
        await runs.EnforceDeadlinesAsync(cancellationToken);
        foreach (var runId in await runs.RunsWithoutOpenPartitionsAsync(cancellationToken))
            await FinishIfDoneAsync(runId, cancellationToken);
    }

    private async Task HeartbeatAsync(CancellationToken cancellationToken)
    {
        var lease = options.Value.LeaseDuration;
        using var timer = new PeriodicTimer(lease / 3);
        while (await timer.WaitForNextTickAsync(cancellationToken).AsTask().ContinueWith(t => !t.IsCanceled && t.Result, TaskScheduler.Default))
        {
            var held = _held.Values.ToArray();
            if (held.Length == 0)
                continue;
            try
            {
                var states = (await leases.RenewAsync(Owner, held.Select(h => h.Partition.PartitionId).ToArray(), lease, cancellationToken))
                    .ToDictionary(s => s.PartitionId);
                foreach (var partition in held)
                {
                    if (!states.TryGetValue(partition.Partition.PartitionId, out var state))
                        partition.Stop(StopReason.LeaseLost);
                    else if (state.CancelRequested && !_draining.ContainsKey(partition.Partition.RunId))
                        partition.Stop(StopReason.Cancelled);
                }
            }
            catch (DatabaseUnavailableException e)
            {
                logger.LogWarning("Could not renew leases ({Error}); will try again", e.Message);
            }
        }
    }

    private enum StopReason
    {
        None,
        Cancelled,
        LeaseLost,
        TimedOut,
    }

    /// <summary>A partition being scored here, with the token that stops it and why it was stopped.</summary>
    private sealed class HeldPartition(ClaimedPartition partition, CancellationToken processToken) : IDisposable
    {
        private readonly CancellationTokenSource _source = CancellationTokenSource.CreateLinkedTokenSource(processToken);
        private Timer? _timeout;

        public ClaimedPartition Partition { get; } = partition;
        public CancellationToken Token => _source.Token;
        public StopReason Reason { get; private set; }

        public void Stop(StopReason reason)
        {
            if (Reason == StopReason.None)
                Reason = reason;
            _source.Cancel();
        }

        public void CancelAfter(TimeSpan timeout) => _timeout = new Timer(_ => Stop(StopReason.TimedOut), null, timeout, Timeout.InfiniteTimeSpan);

        public void Dispose()
        {
            _timeout?.Dispose();
            _source.Dispose();
        }
    }
}
