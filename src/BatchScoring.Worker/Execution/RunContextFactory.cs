using System.Collections.Concurrent;
using BatchScoring.Core.Batches;
using BatchScoring.Core.Drift.Sketches;
using BatchScoring.Core.Errors;
using BatchScoring.Core.Jobs;
using BatchScoring.Core.Scoring;
using BatchScoring.Models.Loading;
using BatchScoring.Postgres.Ledger;
using BatchScoring.Postgres.Output;
using BatchScoring.Postgres.Sources;
using BatchScoring.Worker.Hosting;
using Microsoft.Extensions.Options;
using Npgsql;

namespace BatchScoring.Worker.Execution;

/// <summary>
/// Builds <see cref="RunContext"/>s: for a new run from its job and model, and for a run another
/// process started from what the ledger recorded (the job file's text and the model file), so any
/// worker can take over any partition. Contexts are cached per run.
/// </summary>
public sealed class RunContextFactory(
    NpgsqlDataSource dataSource,
    RunLedger ledger,
    ModelFileLoader models,
    IOptions<ModelsOptions> modelsOptions)
{
    private const int CacheLimit = 64;
    private readonly ConcurrentDictionary<long, Lazy<Task<RunContext>>> _byRun = new();

    public string ModelPathOf(JobSpec job) => Path.GetFullPath(Path.Combine(modelsOptions.Value.Directory, job.Model.Champion.Path
        ?? throw new BatchScoringException($"Job '{job.Name}': registry models ({job.Model.Champion}) are not supported yet; give model.path.")));

    public LoadedModel LoadModel(JobSpec job) => models.Load(ModelPathOf(job));

    /// <summary>Checks the source against the model and the output table, and creates the output table when missing.</summary>
    public async Task<RunContext> PrepareAsync(JobSpec job, LoadedModel model, CancellationToken cancellationToken)
    {
        var source = CreateSource(job);
        var sourceColumns = await source.DescribeAsync(cancellationToken);
        var sourceName = job.Source.ToString() ?? "the source";
        ColumnSchema Find(string name, string role) => sourceColumns.FirstOrDefault(c => c.Name == name)
            ?? throw new SchemaMismatchException($"Job '{job.Name}': {role} column '{name}' is missing from source {sourceName}.");

        var keys = (job.Output.KeyColumns ?? job.Source.KeyColumns).Select(k => Find(k, "key")).ToArray();
        var passthrough = job.Output.Passthrough.Select(p => Find(p, "passthrough")).ToArray();
        var inputs = InputBinder.Bind(job.Name, sourceName, sourceColumns, model.Scorer.Inputs);
        var output = new OutputTableSchema(job.Output.Table, job.Output.Mode, keys, passthrough, model.Scorer.Outputs);
        await output.EnsureAsync(dataSource, cancellationToken);
        var read = keys.Concat(passthrough).Concat(inputs).DistinctBy(c => c.Name).ToArray();
        return new RunContext(job, model, new IsolatingScorer(model.Scorer), source, read, keys, output);
    }

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
        var job = JobSpecLoader.Parse(definition.JobYaml, definition.JobFile);
        var model = models.Load(definition.ModelPath);
        if (definition.ModelVersion is not null && model.Version != definition.ModelVersion)
            throw new SchemaMismatchException(
                $"Run {runId}: the model file {definition.ModelPath} changed since the run started ({definition.ModelVersion} → {model.Version}).");
        var context = await PrepareAsync(job, model, cancellationToken);
        return definition.DriftReferenceJson is { } reference
            ? context with { Drift = new DriftBaseline(DatasetSketch.FromJson(reference), definition.DriftReferenceName ?? "reference") }
            : context;
    }

    private IBatchSource CreateSource(JobSpec job) => job.Source switch
    {
        PostgresTableSourceSpec table => PostgresRelationSource.ForTable(dataSource, table),
        PostgresQuerySourceSpec query => PostgresRelationSource.ForQuery(dataSource, query),
        var other => throw new BatchScoringException($"Job '{job.Name}': source {other} is not supported yet."),
    };

    private void TrimCache()
    {
        if (_byRun.Count > CacheLimit)
            _byRun.Clear();
    }
}
