using BatchScoring.Core.Jobs;
using BatchScoring.Core.Scoring;
using BatchScoring.Models.Description;

namespace BatchScoring.Models.Loading;

/// <summary>A loaded model file: it describes itself and binds to a job's model keys.</summary>
public interface IModelScorer : IScorer
{
    ModelDescription Description { get; }

    /// <summary>
    /// The scorer as the job's <c>model.inputs</c> and <c>model.positive_class</c> bind it, sharing this model; a key that
    /// does not fit the model is refused with the job file's line:column and the model's inputs and outputs.
    /// </summary>
    IScorer Bind(ModelSpec model);
}
