using System.Globalization;
using BatchScoring.Core.Errors;
using BatchScoring.Core.Jobs;
using BatchScoring.Core.Paths;
using BatchScoring.Models.Loading;
using BatchScoring.Postgres.Registry;
using BatchScoring.Worker.Hosting;
using Microsoft.Extensions.Options;

namespace BatchScoring.Worker.Execution;

/// <summary>
/// Turns a job's model reference into a loaded model: <c>name@alias</c> and <c>name@version</c>
/// through the registry (an alias is looked up at every run, so moving it changes the next run),
/// a plain path as a file under <c>Models:Directory</c>. Registered files are checked against their SHA-256. The model is
/// bound to the job's <c>model.inputs</c> and <c>model.positive_class</c>.
/// Neither kind of path may lead out of its folder (<c>..</c>, an absolute path, a symbolic link).
/// </summary>
internal sealed class ModelResolver(ModelRegistry registry, ModelFileLoader loader, IOptions<ModelsOptions> options)
{
    private readonly ContainedPaths modelFiles = new("Models:Directory", options.Value.Directory);
    private readonly ContainedPaths storeFiles = new("Models:StoreDirectory", registry.StoreDirectory);

    public async Task<LoadedModel> ResolveAsync(JobSpec job, ModelReference reference, CancellationToken cancellationToken)
    {
        try
        {
            var model = reference.Path is { } path
                ? loader.Load(modelFiles.Resolve(path, $"model path '{path}' of {job.FilePath}"))
                : await LoadRegisteredAsync(reference, cancellationToken);
            return ModelBinder.ForJob(model, job);
        }
        catch (ModelIntegrityException e)
        {
            throw new ModelIntegrityException($"Job '{job.Name}': {e.Message}");
        }
        catch (BatchScoringException e)
        {
            throw new BatchScoringException($"Job '{job.Name}': {e.Message}", e);
        }
    }

    /// <summary>A registered version (by alias or number), its file checked against the SHA-256 it was registered with.</summary>
    public async Task<LoadedModel> LoadRegisteredAsync(ModelReference reference, CancellationToken cancellationToken)
    {
        var record = await registry.ResolveAsync(reference, cancellationToken);
        storeFiles.Check(record.FilePath, $"the file of model {record.Name}@{record.Version}");
        return loader.Load(new ModelFile(
            record.Name, record.Version.ToString(CultureInfo.InvariantCulture), record.FilePath, record.Format, record.Sha256));
    }
}
