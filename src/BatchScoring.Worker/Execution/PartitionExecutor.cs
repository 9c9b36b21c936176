using System.Text.Json;
using System.Text.Json.Serialization;
using System.Threading.Channels;
using BatchScoring.Core.Batches;
using BatchScoring.Core.Drift.Sketches;
using BatchScoring.Core.Jobs;
using BatchScoring.Core.Runs;
using BatchScoring.Core.Scoring;
using BatchScoring.Core.Shadow;
using BatchScoring.Postgres.Commit;
using BatchScoring.Postgres.Output;
using BatchScoring.Worker.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace BatchScoring.Worker.Execution;

/// <summary>
/// Scores one claimed partition: read → score → write run as stages joined by bounded channels, so they
/// overlap while memory stays bounded by batch size × channel depth; the score stage runs on
/// <see cref="WorkerOptions.EffectiveScoreThreads"/> threads. The write stage hands every scored batch to the
/// partition's <see cref="PartitionCommit"/>, which commits its output, shadow rows, dead letters and <c>succeeded</c>
/// mark in one transaction. With <c>output.skip_unchanged</c>, the read stage also merges the rows with the stored
/// fingerprints of the partition's keys (<see cref="FingerprintMerge"/>), and only changed and new rows are scored and written.
/// </summary>
internal sealed class PartitionExecutor(PartitionCommits commits, RunPartitions runPartitions, StoredFingerprints stored, IOptions<WorkerOptions> options, ILogger<PartitionExecutor> logger)
{
    private static readonly JsonSerializerOptions RowJson = new() { NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals };

    /// <param name="permit">Released once the partition's rows are all staged or written, before its merge and commit.</param>
    public async Task<RunCounts> ExecuteAsync(RunContext context, ClaimedPartition partition, string owner, ReadPermit permit, CancellationToken cancellationToken)
    {
        var write = context.OutputWrite.For(partition.Bounds);
        if (write != OutputWrite.Merge)
        {
            try
            {
                return await ExecuteAsync(context, partition, owner, write, permit, cancellationToken);
            }
            catch (OutputKeyConflictException e)
            {
                context.OutputWrite.FallBackToMerge();
                logger.LogInformation("{Message} Partition {PartitionKey} is scored again, and the rest of the run merges.", e.Message, partition.PartitionKey);
            }
        }
        // A partition scored again after a key conflict (rare: once a run) reads without its permit, already released.
        return await ExecuteAsync(context, partition, owner, OutputWrite.Merge, permit, cancellationToken);
    }

    private async Task<RunCounts> ExecuteAsync(RunContext context, ClaimedPartition partition, string owner, OutputWrite write, ReadPermit permit,
        CancellationToken cancellationToken)
    {
        using var stages = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var depth = options.Value.ChannelDepth;
        var threads = options.Value.EffectiveScoreThreads;
        var read = Channel.CreateBounded<SourceChunk>(depth);
        var scored = Channel.CreateBounded<ScoredChunk>(depth * threads);
        // The stored rows exist only where the partition rewrites rows already there: not on a first write (direct), and
        // only for partitions that name a key range or the whole key space (not hash buckets, not Parquet files).
        var skip = context.Job.Output.SkipUnchanged && write != OutputWrite.Direct && partition.Bounds is { File: null, HashBuckets: 1 };
        if (skip)
            write = OutputWrite.Merge;
        // Without a drift sketch, which needs the stored scores of the unchanged rows, a partition of a key range reads
        // and keeps its fingerprints as one value (KeptFingerprints).
        var keeping = context.KeepsFingerprints && context.Drift is null && partition.Bounds is { File: null, HashBuckets: 1 } && (skip || write == OutputWrite.Direct)
            ? new FingerprintKeeping()
            : null;

        var reader = Task.Run(() => skip ? ReadSkippingAsync(context, partition, keeping, read.Writer, stages.Token) : ReadAsync(context, partition, keeping, read.Writer, stages.Token), stages.Token);
        var scorers = Enumerable.Range(0, threads)
            .Select(_ => Task.Run(() => ScoreAsync(context, partition.RunId, read.Reader, scored.Writer, stages.Token), stages.Token))
            .ToArray();
        var figures = FinishScoringAsync(scorers, scored.Writer);
        try
        {
            var counts = await WriteAsync(context, partition, owner, write, skip, keeping, permit, scored.Reader, figures, stages.Token);
            await Task.WhenAll(reader, figures);
            return counts;
        }
        catch
        {
            await stages.CancelAsync();
            await Task.WhenAll([reader, figures]).ContinueWith(_ => { }, TaskScheduler.Default);
            throw;
        }
    }

    /// <summary>
    /// The read stage without <c>output.skip_unchanged</c>'s merge. A first write that keeps its fingerprints reads in a
    /// partition read that marks where the source stood, so that the next run can read only what changed since.
    /// </summary>
    private async Task ReadAsync(RunContext context, ClaimedPartition partition, FingerprintKeeping? keeping, ChannelWriter<SourceChunk> output,
        CancellationToken cancellationToken)
    {
        try
        {
            var batchSize = options.Value.BatchSize;
            await using var tracked = keeping is not null ? await BeginTrackedReadAsync(context, partition.Bounds, cancellationToken) : null;
            if (tracked is not null)
                keeping!.Mark = tracked.Mark;
            await foreach (var batch in tracked?.ReadAsync(batchSize, cancellationToken) ?? context.Source.ReadAsync(context.ReadColumns, partition.Bounds, batchSize, cancellationToken))
                await output.WriteAsync(new SourceChunk(batch, null, []), cancellationToken);
            output.Complete();
        }
        catch (Exception e)
        {
            output.Complete(e);
        }
    }

    /// <summary>A partition read that tracks changes, when the source can (<see cref="IChangeTrackingSource"/>); null otherwise.</summary>
    private static async Task<IPartitionRead?> BeginTrackedReadAsync(RunContext context, PartitionBounds bounds, CancellationToken cancellationToken)
        => context.Source is IChangeTrackingSource source
            ? await source.BeginReadAsync(context.ReadColumns, bounds,
                ReadMark.Salt(InputFingerprint.Seed(context.Model.Name, context.Model.Version), context.Job.FeatureMapping), cancellationToken)
            : null;

    /// <summary>
    /// The read stage of <c>output.skip_unchanged</c>: fingerprints every source row and merges it with the stored rows
    /// of the partition's keys, read beside the source on a connection of their own; the stored keys left over at the
    /// end follow as chunks without rows. When the partition's kept pairs carry the mark of a read the source can still
    /// compare with, only the keys and the rows changed since are read (<see cref="ReadChangedAsync"/>).
    /// </summary>
    private async Task ReadSkippingAsync(RunContext context, ClaimedPartition partition, FingerprintKeeping? keeping, ChannelWriter<SourceChunk> output,
        CancellationToken cancellationToken)
    {
        try
        {
            var table = context.Output!;
            var batchSize = options.Value.BatchSize;
            var bounds = partition.Bounds with { InKeyOrder = true };
            var reading = keeping is null ? Task.FromResult<KeptPairs?>(null) : stored.ReadKeptAsync(table, context.Job.Name, bounds, keeping, cancellationToken);
            await using var tracked = keeping is not null ? await BeginTrackedReadAsync(context, bounds, cancellationToken) : null;
            var kept = await reading;
            if (tracked is not null)
                keeping!.Mark = tracked.Mark;
            if (kept is { Mark: { } since } && tracked is not null && tracked.CanReadChangedSince(since)
                && await ReadChangedAsync(context, partition.PartitionKey, kept, since, tracked, keeping!, output, cancellationToken))
                return;

            // The stored scores stand in for the unchanged rows' predictions in the drift sketch; without one they are not read.
            var withScores = context.Drift is not null;
            await using var merge = new FingerprintMerge(stored.ReadAsync(table, withScores, context.Job.Name, bounds, batchSize, kept, cancellationToken),
                StoredFingerprints.ScoreColumns(table, withScores), options.Value.ChannelDepth, cancellationToken);
            var key = context.KeyColumns.Single().Name;
            await foreach (var batch in tracked?.ReadAsync(batchSize, cancellationToken) ?? context.Source.ReadAsync(context.ReadColumns, bounds, batchSize, cancellationToken))
            {
                var fingerprints = Fingerprints(context, batch);
                var split = await merge.SplitAsync(batch[key], fingerprints, cancellationToken);
                if (keeping is not null)
                    for (var i = 0; i < split.Unchanged.Count; i++)
                        keeping.Unchanged.Add(split.UnchangedKeys[i], fingerprints[split.Unchanged[i]]);
                await output.WriteAsync(new SourceChunk(batch, split, split.Passed), cancellationToken);
            }
            await foreach (var passed in merge.RemainingAsync(cancellationToken))
                await output.WriteAsync(new SourceChunk(null, null, passed), cancellationToken);
            output.Complete();
        }
        catch (Exception e)
        {
            output.Complete(e);
        }
    }

    /// <summary>
    /// Reads the partition's keys, then its rows changed since <paramref name="since"/> and the rows of its keys that were
    /// not kept, and merges them with the kept pairs (<see cref="ChangedRowsMerge"/>). False, before any row is read,
    /// when more keys than <see cref="MaxKeysNotKept"/> were not kept: the partition then reads every row.
    /// </summary>
    private async Task<bool> ReadChangedAsync(RunContext context, string partitionKey, KeptPairs kept, ReadMark since, IPartitionRead tracked, FingerprintKeeping keeping,
        ChannelWriter<SourceChunk> output, CancellationToken cancellationToken)
    {
        var keys = await tracked.KeysAsync(cancellationToken);
        var merge = new ChangedRowsMerge(kept.Pairs, keys, keeping.Unchanged);
        var notKept = merge.KeysNotKept();
        if (notKept.Count > MaxKeysNotKept)
            return false;
        var key = context.KeyColumns.Single().Name;
        long rows = 0;
        await foreach (var batch in tracked.ReadChangedAsync(since, notKept, options.Value.BatchSize, cancellationToken))
        {
            rows += batch.Count;
            var split = merge.Split(batch[key], Fingerprints(context, batch));
            await output.WriteAsync(new SourceChunk(batch, split, split.Passed), cancellationToken);
        }
        var rest = merge.Finish();
        await output.WriteAsync(new SourceChunk(null, rest, rest.Passed), cancellationToken);
        output.Complete();
        logger.LogDebug("Partition {PartitionKey} read {Keys:N0} keys and {Rows:N0} rows: those written since transaction {Transaction} and {NotKept:N0} not kept.",
            partitionKey, keys.Length, rows, since.Transaction, notKept.Count);
        return true;
    }

    /// <summary>Keys not kept are read by value, in the statement's text; past this many, reading every row is as cheap.</summary>
    private const int MaxKeysNotKept = 100_000;

    private static long[] Fingerprints(RunContext context, RowBatch batch)
    {
        var inputs = context.Scorer.Inner.Inputs;
        var fingerprints = new long[batch.Count];
        InputFingerprint.Compute(InputBinder.ForModel(batch, inputs, context.Job.FeatureMapping), inputs, InputFingerprint.Seed(context.Model.Name, context.Model.Version), fingerprints);
        return fingerprints;
    }

    /// <summary>One score thread: scores batches until the read stage is done, into figures of its own.</summary>
    private static async Task<PartitionFigures> ScoreAsync(RunContext context, long runId, ChannelReader<SourceChunk> input,
        ChannelWriter<ScoredChunk> output, CancellationToken cancellationToken)
    {
        var figures = new PartitionFigures(context.Drift?.Reference.EmptyCopy(DatasetSketch.RunSalt(runId)), context.Shadow is null ? null : new ShadowAgreement());
        var keys = context.KeyColumns.Select(k => k.Name).ToArray();
        var seed = InputFingerprint.Seed(context.Model.Name, context.Model.Version);
        try
        {
            await foreach (var chunk in input.ReadAllAsync(cancellationToken))
            {
                var unread = chunk.Split?.UnchangedUnread ?? 0;
                if (chunk.Batch is not { } read)
                {
                    await output.WriteAsync(new ScoredChunk(null, null, [], unread) { Unchanged = unread, Passed = chunk.Passed }, cancellationToken);
                    continue;
                }
                var unchanged = chunk.Split?.Unchanged.Count ?? 0;
                if (unchanged > 0 && figures.Sketch is not null)
                {
                    // Not scored again, but the drift sketch sees them, with the scores their stored row holds.
                    var same = InputBinder.ForModel(read.Take(chunk.Split!.Unchanged), context.Scorer.Inner.Inputs, context.Job.FeatureMapping);
                    figures.Sketch.Add(new ScoredBatch(same, chunk.Split.UnchangedOutputs), RowKeyHasher.Hash(same, keys));
                }
                var batch = unchanged == 0 ? read : read.Take(chunk.Split!.Changed);
                if (batch.Count == 0)
                {
                    await output.WriteAsync(new ScoredChunk(null, null, [], read.Count + unread) { Unchanged = unchanged + unread, Passed = chunk.Passed }, cancellationToken);
                    continue;
                }
                var rejected = ReadGuard.Check(batch, keys);
                var scoring = context.Scorer.Score(InputBinder.ForModel(batch, context.Scorer.Inner.Inputs, context.Job.FeatureMapping), rejected);
                var fingerprints = new long[scoring.Scored.Count];
                InputFingerprint.Compute(scoring.Scored.Input, context.Scorer.Inner.Inputs, seed, fingerprints);
                var result = scoring with { Scored = scoring.Scored with { Fingerprints = fingerprints } };
                figures.Sketch?.Add(result.Scored, RowKeyHasher.Hash(result.Scored.Input, keys));
                ScoredBatch? shadow = null;
                if (context.Shadow is { } challenger)
                {
                    var challengerInput = InputBinder.ForModel(result.Scored.Input, challenger.Challenger.Scorer.Inputs, context.Job.FeatureMapping);
                    shadow = result.Scored with { Outputs = challenger.Challenger.Scorer.Score(challengerInput), Fingerprints = null };
                    figures.Agreement!.Add(result.Scored.Outputs, shadow.Outputs);
                }
                var letters = result.BadRows.Select(bad => ToDeadLetter(context, batch, bad)).ToArray();
                await output.WriteAsync(new ScoredChunk(result.Scored, shadow, letters, read.Count + unread) { Unchanged = unchanged + unread, Passed = chunk.Passed }, cancellationToken);
            }
            return figures;
        }
        catch (Exception e)
        {
            output.TryComplete(e);
            throw;
        }
    }

    /// <summary>Completes the score stage's channel once every score thread is done, and merges their figures.</summary>
    private static async Task<PartitionFigures> FinishScoringAsync(Task<PartitionFigures>[] scorers, ChannelWriter<ScoredChunk> output)
    {
        var figures = await Task.WhenAll(scorers);
        output.TryComplete();
        return PartitionFigures.Merge(figures);
    }

    private async Task<RunCounts> WriteAsync(RunContext context, ClaimedPartition partition, string owner, OutputWrite write, bool skip,
        FingerprintKeeping? keeping, ReadPermit permit, ChannelReader<ScoredChunk> input, Task<PartitionFigures> scoring, CancellationToken cancellationToken)
    {
        var errors = context.Job.Errors;
        if (write == OutputWrite.Run && context.Output is { } output)
            await runPartitions.EnsureAsync(output.Table, partition.RunId, cancellationToken);
        await using var commit = await commits.BeginAsync(new PartitionCommitPlan(partition, owner, context.Job.Name, context.Model.Version)
        {
            Output = context.Output,
            Write = write,
            RemovesPassedKeys = skip && context.Job.Output.Replace == OutputReplace.Partition,
            Keeping = keeping,
            Shadow = context.Shadow is { } shadow ? new ShadowTable(shadow.Output, shadow.Challenger.Version) : null,
            Files = context.ParquetOutput,
        }, cancellationToken);

        long rowsRead = 0, rowsScored = 0, rowsUnchanged = 0;
        var deadLetters = new List<DeadLetter>();
        await foreach (var chunk in input.ReadAllAsync(cancellationToken))
        {
            rowsRead += chunk.RowsRead;
            rowsUnchanged += chunk.Unchanged;
            deadLetters.AddRange(chunk.DeadLetters);
            if (deadLetters.Count > errors.MaxFailedRows)
                throw new ErrorBudgetExceededException(context.Job.Name, partition.PartitionKey, deadLetters.Count, rowsRead, deadLetters[0]);
            await commit.WritePassedAsync(chunk.Passed, cancellationToken);
            if (chunk.Scored is not { } scoredRows)
                continue;
            rowsScored += scoredRows.Count;
            await commit.WriteAsync(scoredRows, chunk.Shadow, cancellationToken);
        }
        permit.Release();
        if (errors.IsExceeded(deadLetters.Count, rowsRead))
            throw new ErrorBudgetExceededException(context.Job.Name, partition.PartitionKey, deadLetters.Count, rowsRead, deadLetters[0]);

        var counts = new RunCounts(rowsRead, rowsScored, deadLetters.Count, rowsUnchanged);
        // The score stage completed the channel after its last thread finished, so the figures cover every scored row.
        var figures = await scoring;
        await commit.CommitAsync(new PartitionOutcome(counts, deadLetters, figures.Sketch, figures.Agreement), cancellationToken);
        return counts;
    }

    private static DeadLetter ToDeadLetter(RunContext context, RowBatch batch, BadRow bad)
    {
        var key = string.Join('|', context.KeyColumns.Select(k => batch[k.Name].GetBoxed(bad.Row)?.ToString() ?? "null"));
        var values = batch.Columns.ToDictionary(c => c.Name, c => c.GetBoxed(bad.Row));
        return new DeadLetter(key, bad.Column, bad.Stage, bad.Reason, JsonSerializer.Serialize(values, RowJson));
    }

    /// <summary>A source batch (null for a chunk that only carries stored keys passed over), split when skipping unchanged rows.</summary>
    private sealed record SourceChunk(RowBatch? Batch, MergeSplit? Split, IReadOnlyList<long> Passed);

    /// <summary>What the score stage made of a source chunk; <see cref="Scored"/> is null when no row of it needed scoring.</summary>
    private sealed record ScoredChunk(ScoredBatch? Scored, ScoredBatch? Shadow, IReadOnlyList<DeadLetter> DeadLetters, int RowsRead)
    {
        public int Unchanged { get; init; }
        public IReadOnlyList<long> Passed { get; init; } = [];
    }

    /// <summary>What the score stage accumulates over a partition: its drift sketch and its shadow agreement.</summary>
    private sealed record PartitionFigures(DatasetSketch? Sketch, ShadowAgreement? Agreement)
    {
        public static PartitionFigures Merge(PartitionFigures[] parts)
        {
            var merged = parts[0];
            foreach (var part in parts.Skip(1))
            {
                merged.Sketch?.Merge(part.Sketch!);
                merged.Agreement?.Merge(part.Agreement!);
            }
            return merged;
        }
    }
}
