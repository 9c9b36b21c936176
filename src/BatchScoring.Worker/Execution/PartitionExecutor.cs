using System.Text.Json;
using System.Text.Json.Serialization;
using System.Threading.Channels;
using BatchScoring.Core.Batches;
using BatchScoring.Core.Drift.Sketches;
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
/// mark in one transaction.
/// </summary>
internal sealed class PartitionExecutor(PartitionCommits commits, IOptions<WorkerOptions> options, ILogger<PartitionExecutor> logger)
{
    private static readonly JsonSerializerOptions RowJson = new() { NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals };

    public async Task<RunCounts> ExecuteAsync(RunContext context, ClaimedPartition partition, string owner, CancellationToken cancellationToken)
    {
        var write = context.OutputWrite.For(partition.Bounds);
        if (write != OutputWrite.Merge)
        {
            try
            {
                return await ExecuteAsync(context, partition, owner, write, cancellationToken);
            }
            catch (OutputKeyConflictException e)
            {
                context.OutputWrite.FallBackToMerge();
                logger.LogInformation("{Message} Partition {PartitionKey} is scored again, and the rest of the run merges.", e.Message, partition.PartitionKey);
            }
        }
        return await ExecuteAsync(context, partition, owner, OutputWrite.Merge, cancellationToken);
    }

    private async Task<RunCounts> ExecuteAsync(RunContext context, ClaimedPartition partition, string owner, OutputWrite write, CancellationToken cancellationToken)
    {
        using var stages = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var depth = options.Value.ChannelDepth;
        var threads = options.Value.EffectiveScoreThreads;
        var read = Channel.CreateBounded<RowBatch>(depth);
        var scored = Channel.CreateBounded<ScoredChunk>(depth * threads);

        var reader = Task.Run(() => ReadAsync(context, partition, read.Writer, stages.Token), stages.Token);
        var scorers = Enumerable.Range(0, threads)
            .Select(_ => Task.Run(() => ScoreAsync(context, partition.RunId, read.Reader, scored.Writer, stages.Token), stages.Token))
            .ToArray();
        var figures = FinishScoringAsync(scorers, scored.Writer);
        try
        {
            var counts = await WriteAsync(context, partition, owner, write, scored.Reader, figures, stages.Token);
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

    private async Task ReadAsync(RunContext context, ClaimedPartition partition, ChannelWriter<RowBatch> output, CancellationToken cancellationToken)
    {
        try
        {
            await foreach (var batch in context.Source.ReadAsync(context.ReadColumns, partition.Bounds, options.Value.BatchSize, cancellationToken))
                await output.WriteAsync(batch, cancellationToken);
            output.Complete();
        }
        catch (Exception e)
        {
            output.Complete(e);
        }
    }

    /// <summary>One score thread: scores batches until the read stage is done, into figures of its own.</summary>
    private static async Task<PartitionFigures> ScoreAsync(RunContext context, long runId, ChannelReader<RowBatch> input,
        ChannelWriter<ScoredChunk> output, CancellationToken cancellationToken)
    {
        var figures = new PartitionFigures(context.Drift?.Reference.EmptyCopy(DatasetSketch.RunSalt(runId)), context.Shadow is null ? null : new ShadowAgreement());
        var keys = context.KeyColumns.Select(k => k.Name).ToArray();
        var seed = InputFingerprint.Seed(context.Model.Name, context.Model.Version);
        try
        {
            await foreach (var batch in input.ReadAllAsync(cancellationToken))
            {
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
                await output.WriteAsync(new ScoredChunk(result.Scored, shadow, letters, batch.Count), cancellationToken);
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

    private async Task<RunCounts> WriteAsync(RunContext context, ClaimedPartition partition, string owner, OutputWrite write,
        ChannelReader<ScoredChunk> input, Task<PartitionFigures> scoring, CancellationToken cancellationToken)
    {
        var errors = context.Job.Errors;
        await using var commit = await commits.BeginAsync(new PartitionCommitPlan(partition, owner, context.Job.Name, context.Model.Version)
        {
            Output = context.Output,
            Write = write,
            Shadow = context.Shadow is { } shadow ? new ShadowTable(shadow.Output, shadow.Challenger.Version) : null,
            Files = context.ParquetOutput,
        }, cancellationToken);

        long rowsRead = 0, rowsScored = 0;
        var deadLetters = new List<DeadLetter>();
        await foreach (var chunk in input.ReadAllAsync(cancellationToken))
        {
            rowsRead += chunk.RowsRead;
            rowsScored += chunk.Scored.Count;
            deadLetters.AddRange(chunk.DeadLetters);
            if (deadLetters.Count > errors.MaxFailedRows)
                throw new ErrorBudgetExceededException(context.Job.Name, partition.PartitionKey, deadLetters.Count, rowsRead, deadLetters[0]);
            await commit.WriteAsync(chunk.Scored, chunk.Shadow, cancellationToken);
        }
        if (errors.IsExceeded(deadLetters.Count, rowsRead))
            throw new ErrorBudgetExceededException(context.Job.Name, partition.PartitionKey, deadLetters.Count, rowsRead, deadLetters[0]);

        var counts = new RunCounts(rowsRead, rowsScored, deadLetters.Count);
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

    private sealed record ScoredChunk(ScoredBatch Scored, ScoredBatch? Shadow, IReadOnlyList<DeadLetter> DeadLetters, int RowsRead);

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
