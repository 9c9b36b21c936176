using BatchScoring.Core.Errors;
using BatchScoring.Core.Jobs;
using BatchScoring.Core.Scoring;
using BatchScoring.Worker.Execution;
using BatchScoring.Worker.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace BatchScoring.Worker.Cli;

/// <summary>
/// Early binding: the job's models resolved, loaded and bound to its model keys (<c>model.inputs</c>,
/// <c>model.positive_class</c>) and their inputs checked against the source's columns, before a run is created, so that
/// <c>run</c> and <c>backfill</c> refuse a misfit (exit 2) without leaving a failed run behind, and <c>jobs validate</c>
/// reports it. Nothing is written. A scheduled fire still records its failed start, for the operators.
/// </summary>
internal static class JobModelChecks
{
    /// <summary>Throws the misfit, naming the job file's line and column where a model key is at fault.</summary>
    public static async Task ThrowIfMisfitAsync(IServiceProvider services, JobSpec job, CancellationToken cancellationToken)
    {
        var contexts = services.GetRequiredService<RunContextFactory>();
        var champion = await contexts.ResolveModelAsync(job, job.Model.Champion, cancellationToken);
        var challenger = job.Model.Challenger is { } c ? await contexts.ResolveModelAsync(job, c, cancellationToken) : null;
        var source = SourceFactory.Create(services.GetRequiredService<SourceDataSource>(), job.Source,
            services.GetRequiredService<Microsoft.Extensions.Options.IOptions<SourcesOptions>>().Value.ParquetPaths());
        var columns = await source.DescribeAsync(cancellationToken);
        var sourceName = job.Source.ToString() ?? "the source";
        foreach (var model in new[] { champion, challenger }.OfType<Models.Loading.LoadedModel>())
            InputBinder.Bind(job.Name, sourceName, columns, model.Scorer.Inputs, job.FeatureMapping);
    }

    /// <summary>
    /// Loads the job's model files ahead of <see cref="ThrowIfMisfitAsync"/> and the run, which then find them loaded
    /// (<see cref="Models.Loading.ModelFileLoader"/> keeps them); registered models wait, as they need the registry's tables.
    /// </summary>
    public static async Task<JobSpec> LoadFileModelsAsync(IServiceProvider services, JobSpec job, CancellationToken cancellationToken)
    {
        var contexts = services.GetRequiredService<RunContextFactory>();
        foreach (var reference in new[] { job.Model.Champion, job.Model.Challenger }.OfType<ModelReference>().Where(r => r.Path is not null))
            await contexts.ResolveModelAsync(job, reference, cancellationToken);
        return job;
    }

    /// <summary>
    /// For <c>jobs validate</c>: one line per job that does not fit its model or source, and a note when the checks could not
    /// run. They need the database of <c>ConnectionStrings:BatchScoring</c>; without one they are skipped, so validating files
    /// never starts the demo's local cluster.
    /// </summary>
    public static async Task<(IReadOnlyList<string> Problems, string? Skipped)> CheckAsync(
        IConfigurationRoot configuration, IReadOnlyList<JobSpec> jobs, CancellationToken cancellationToken)
    {
        if (jobs.Count == 0)
            return ([], null);
        if (AppConfiguration.ConfiguredConnectionString(configuration) is null)
            return ([], "models and sources not checked: no ConnectionStrings:BatchScoring is configured");
        IHost host;
        try
        {
            host = await CliHost.CurrentAsync(configuration, cancellationToken);
        }
        catch (Exception e) when (ExpectedFailure.Of(e) is { } failure)
        {
            return ([], $"models and sources not checked: {failure.Message}");
        }
        using (host)
        {
            var problems = new List<string>();
            foreach (var job in jobs)
            {
                try
                {
                    await ThrowIfMisfitAsync(host.Services, job, cancellationToken);
                }
                catch (BatchScoringException e)
                {
                    problems.Add($"{job.FilePath}: {e.Message}");
                }
            }
            return (problems, null);
        }
    }
}
