using System.Collections.Concurrent;
using BatchScoring.Core.Batches;
using BatchScoring.Core.Drift.Sketches;
using BatchScoring.Core.Errors;
using BatchScoring.Core.Jobs;
using BatchScoring.Core.Scoring;
using BatchScoring.Models.Loading;
using BatchScoring.Parquet.Sinks;
using BatchScoring.Postgres.Ledger;
using BatchScoring.Postgres.Output;
using BatchScoring.Postgres.Sources;
using BatchScoring.Worker.Hosting;
using Microsoft.Extensions.Options;

namespace BatchScoring.Worker.Execution;

/// <summary>
/// Builds <see cref="RunContext"/>s: for a new run from its job and model, and for a run another
/// process started from what the ledger recorded (the job file's text and the model file), so any
/// worker can take over any partition. Contexts are cached per run.
/// </summary>
internal sealed class RunContextFactory(
    OutputTables outputTables,
    SourceDataSource sourceData,
    RunLedger ledger,
    ModelResolver models,
    IOptions<WorkerOptions> options,
    IOptions<SourcesOptions> sources)
{
    private const int CacheLimit = 64;
    private readonly ConcurrentDictionary<long, Lazy<Task<RunContext>>> _byRun = new();

    /// <summary>The job's champion model: a registry reference resolved now (aliases move between runs) or a file.</summary>
    public Task<LoadedModel> ResolveModelAsync(JobSpec job, ModelReference reference, CancellationToken cancellationToken)
        => models.ResolveAsync(job, reference, cancellationToken);

    /// <summary>
    /// Checks the source against the models and any existing output tables before any row is read, touching
    /// nothing: missing tables are created by <see cref="CreateOutputsAsync"/> when the run starts.
    /// </summary>
    public async Task<RunContext> PrepareAsync(JobSpec job, LoadedModel model, LoadedModel? challenger, CancellationToken cancellationToken)
    {
        job = await outputTables.WithTableReplaceAsync(job, cancellationToken);
        var source = CreateSource(job);
        var sourceColumns = await source.DescribeAsync(cancellationToken);
        var sourceName = job.Source.ToString() ?? "the source";
        var inputs = InputBinder.Bind(job.Name, sourceName, sourceColumns, model.Scorer.Inputs, job.FeatureMapping);
        var challengerInputs = challenger is null ? [] : InputBinder.Bind(job.Name, sourceName, sourceColumns, challenger.Scorer.Inputs, job.FeatureMapping);
        var (keys, passthrough) = OutputTableSchema.ResolveColumns(job, sourceColumns);
        var output = job.Output.Table is { } table ? OutputTableSchema.ForJob(job, table, sourceColumns, model.Scorer.Outputs) : null;
        var shadow = challenger is null ? null : new ShadowContext(challenger, ShadowOutput.Schema(job.Name, job.Output, keys, challenger.Scorer.Outputs));
        if (job.Output.SkipUnchanged)
            CheckSkipUnchanged(job, keys, challenger);
        if (output is not null)
            await outputTables.CheckAsync(output, cancellationToken);
        if (shadow is not null)
            await outputTables.CheckAsync(shadow.Output, cancellationToken);
        IReadOnlyList<ColumnSchema> outputSourceColumns = [.. keys, .. passthrough];
        var read = outputSourceColumns.Concat(inputs).Concat(challengerInputs).DistinctBy(c => c.Name).ToArray();
        var parquet = job.Output.ParquetFolder is { } folder
            ? new ParquetPartitionSink(folder, outputSourceColumns, model.Scorer.Outputs)
            : null;
        return new RunContext(job, model, new IsolatingScorer(model.Scorer), source, read, keys, OutputWritePath.Merge())
        {
            Output = output,
            Shadow = shadow,
            ParquetOutput = parquet,
        };
    }

    /// <summary>
    /// <c>output.skip_unchanged</c> merges the source with the stored rows by key, in key order: one integer key (the
    /// source's), and no challenger, whose shadow rows would otherwise be missing for the rows that are not scored.
    /// </summary>
    private static void CheckSkipUnchanged(JobSpec job, IReadOnlyList<ColumnSchema> keys, LoadedModel? challenger)
    {
        var where = $"Job '{job.Name}' ({job.FilePath}): output.skip_unchanged";
        if (keys.Count != 1 || keys[0].Kind is not (ColumnKind.Int16 or ColumnKind.Int32 or ColumnKind.Int64)
            || !job.Source.KeyColumns.SequenceEqual([keys[0].Name], StringComparer.Ordinal))
            throw new SchemaMismatchException(
                $"{where} needs a single integer key column, the source's: the key is ({string.Join(", ", keys.Select(k => $"{k.Name} {k.Kind}"))}).");
        if (challenger is not null)
            throw new SchemaMismatchException($"{where} cannot be used with a challenger model (model.challenger): the challenger must score every row.");
    }

    /// <summary>
    /// Starting a run: creates the output and shadow tables when missing (checking them again under a lock, as another
    /// worker may have created them since) and decides how the run writes the output table.
    /// </summary>
    public async Task<RunContext> CreateOutputsAsync(RunContext context, CancellationToken cancellationToken)
    {
        var outputWrite = context.Output is null ? OutputWritePath.Merge() : await outputTables.EnsureAsync(context.Output, cancellationToken);
        if (context.Shadow is not null)
            await outputTables.EnsureAsync(context.Shadow.Output, cancellationToken);
        if (context.Job.Output.SkipUnchanged && context.Output is { ByRun: false } output)
            context = context with { KeepsFingerprints = await outputTables.KeepFingerprintsAsync(output, cancellationToken) };
        if (!options.Value.DirectWrites && context.Output is not { ByRun: true })
            return context with { OutputWrite = OutputWritePath.Merge() };
        return context with { OutputWrite = ReplacesPartitions(context) ? outputWrite.Replacing() : outputWrite };
    }

    /// <summary>
    /// Whether the run replaces its partitions' rows (<c>output.replace: partition</c>, upsert): only when the output's
    /// key is the source's, so that a partition's key range names the output rows it owns.
    /// </summary>
    private static bool ReplacesPartitions(RunContext context)
        => context.Job.Output is { Mode: OutputMode.Upsert, Replace: OutputReplace.Partition }
           && context.Output is { } output
           && output.KeyColumns.Select(k => k.Name).SequenceEqual(context.Job.Source.KeyColumns, StringComparer.Ordinal);

    /// <summary>Remembers the context of a run this process just created.</summary>
    public void Remember(long runId, RunContext context)
    {
        TrimCache();
        _byRun[runId] = new Lazy<Task<RunContext>>(Task.FromResult(context));
    }

    public async Task<RunContext> ForRunAsync(long runId, CancellationToken cancellationToken)
    {
        TrimCache();
        var lazy = _byRun.GetOrAdd(runId, id => new Lazy<Task<RunContext>>(() => LoadAsync(id, CancellationToken.None)));
        try
        {
            return await lazy.Value.WaitAsync(cancellationToken);
        }
        catch (Exception) when (!cancellationToken.IsCancellationRequested)
        {
            _byRun.TryRemove(runId, out _);
            throw;
        }
    }

    private async Task<RunContext> LoadAsync(long runId, CancellationToken cancellationToken)
    {
        var definition = await ledger.DefinitionAsync(runId, cancellationToken)
            ?? throw new BatchScoringException($"Run {runId} has no recorded job definition.");
        if (definition.JobYaml is null)
            throw new BatchScoringException($"Run {runId} was started from a job defined in code ({definition.JobFile}); only the process that started it can score it.");
        var job = JobSpecLoader.Parse(definition.JobYaml, definition.JobFile);
        var model = await PinnedAsync(job, job.Model.Champion, definition.ModelName, definition.ModelVersion, cancellationToken);
        var challenger = job.Model.Challenger is { } c
            ? await PinnedAsync(job, c, definition.ChallengerName, definition.ChallengerVersion, cancellationToken)
            : null;
        var context = await CreateOutputsAsync(await PrepareAsync(job, model, challenger, cancellationToken), cancellationToken);
        if (definition.DriftReferenceError is { } error)
            return context with { DriftUnavailable = error };
        if (definition.DriftReferenceJson is not { } reference)
            return context;
        var description = definition.DriftReferenceName ?? "reference";
        try
        {
            return context with { Drift = new ResolvedDriftReference(DatasetSketch.FromJson(reference), description) };
        }
        catch (FormatException e)
        {
            // A run started by another release: its partitions still score, without drift sketches.
            return context with { DriftUnavailable = $"The drift reference recorded on run {runId} ({description}) cannot be read: {e.Message}" };
        }
    }

    /// <summary>The model version the run resolved when it started (an alias may have moved since), its file checked again.</summary>
    private async Task<LoadedModel> PinnedAsync(JobSpec job, ModelReference reference, string? name, string? version, CancellationToken cancellationToken)
    {
        var pinned = reference.Path is null && name is not null && int.TryParse(version, out var number)
            ? new ModelReference { Name = name, Version = number }
            : reference;
        var model = await models.ResolveAsync(job, pinned, cancellationToken);
        if (version is not null && model.Version != version)
            throw new SchemaMismatchException($"Job '{job.Name}': the model file {model.Path} changed since the run started ({version} → {model.Version}).");
        return model;
    }

    private IBatchSource CreateSource(JobSpec job)
        => SourceFactory.Create(sourceData, job.Source, sources.Value.ParquetPaths(), SourceLimits.ForJob(job.Name, job.PartitionTimeout, job.Timeout));

    private void TrimCache()
    {
        if (_byRun.Count > CacheLimit)
            _byRun.Clear();
    }
}
