using BatchScoring.Core.Jobs;

namespace BatchScoring.Models.Loading;

/// <summary>Binds a loaded model to the job that scores with it (its <c>model.inputs</c> and <c>model.positive_class</c>).</summary>
public static class ModelBinder
{
    public static LoadedModel ForJob(LoadedModel model, JobSpec job)
        => model.Scorer is IModelScorer scorer ? model with { Scorer = scorer.Bind(job.Model) } : model;
}
