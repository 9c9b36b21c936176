using System.Text;
using System.Text.Json;
using BatchScoring.Core.Jobs;
using BatchScoring.Core.Models;
using BatchScoring.Models.Description;
using BatchScoring.Postgres.Registry;
using BatchScoring.Worker.Cli;
using BatchScoring.Worker.Hosting;
using Microsoft.Extensions.Options;
using static BatchScoring.Worker.WebConsole.ConsoleHtml;

namespace BatchScoring.Worker.WebConsole;

/// <summary>
/// <c>/models</c> and <c>/api/models</c>: every registered version with its aliases, metrics, the inputs and outputs
/// it was found to have when registered, and the valid jobs of <c>Jobs:Directory</c> that score with it (as champion or challenger).
/// </summary>
internal sealed class ModelsPage(ModelRegistry registry, ModelDescriptions descriptions, IOptions<JobsOptions> jobs)
{
    public sealed record Use(string Job, bool Challenger);

    public sealed record Version(ModelRecord Model, ModelDescription? Description, IReadOnlyList<Use> UsedBy);

    public async Task<IReadOnlyList<Version>> LoadAsync(CancellationToken cancellationToken)
    {
        var models = await registry.ListAsync(null, cancellationToken);
        var described = await descriptions.LoadAsync(cancellationToken);
        var specs = JobSpecLoader.LoadDirectory(jobs.Value.Directory).Jobs.ToArray();
        return models.Select(m => new Version(
            m,
            described.TryGetValue((m.Name, m.Version), out var json) ? JsonSerializer.Deserialize<ModelDescription>(json, ModelCheck.Json) : null,
            specs.SelectMany(j => Uses(j, m)).ToArray())).ToArray();
    }

    private static IEnumerable<Use> Uses(JobSpec job, ModelRecord model)
    {
        if (Points(job.Model.Champion, model))
            yield return new Use(job.Name, false);
        if (job.Model.Challenger is { } challenger && Points(challenger, model))
            yield return new Use(job.Name, true);
    }

    private static bool Points(ModelReference reference, ModelRecord model)
        => reference.Name == model.Name && (reference.Version == model.Version || (reference.Alias is { } alias && model.Aliases.Contains(alias)));

    public static object Json(IReadOnlyList<Version> versions) => versions.Select(v => new
    {
        v.Model.Name,
        v.Model.Version,
        Format = v.Model.Format.StoredName(),
        v.Model.Aliases,
        v.Model.Sha256,
        v.Model.HasReferenceProfile,
        RegisteredAt = v.Model.CreatedAt.ToUniversalTime(),
        Metrics = JsonDocument.Parse(v.Model.MetricsJson).RootElement,
        Task = v.Description is { } d ? ModelDescriptionText.Task(d.Task) : null,
        Inputs = v.Description?.Inputs.Select(p => p.ToString()),
        Outputs = v.Description?.Outputs.Select(p => p.ToString()),
        Jobs = v.UsedBy,
    });

    public static string Html(IReadOnlyList<Version> versions)
    {
        var body = new StringBuilder();
        body.Append(Table(["model", "version", "aliases", "format, task", "inputs", "outputs", "metrics", "reference", "registered", "jobs"],
            versions.Select(v => Row(
                E(v.Model.Name), E(v.Model.Version), E(string.Join(", ", v.Model.Aliases)),
                E(v.Model.Format.StoredName() + (v.Description is { } d ? ", " + ModelDescriptionText.Task(d.Task) : "")),
                E(v.Description is null ? "" : string.Join(", ", v.Description.Inputs)),
                E(v.Description is null ? "" : string.Join(", ", v.Description.Outputs)),
                $"<code>{E(v.Model.MetricsJson)}</code>",
                v.Model.HasReferenceProfile ? "profile" : "",
                Time(v.Model.CreatedAt),
                string.Join(", ", v.UsedBy.Select(u => JobLink(u.Job) + (u.Challenger ? " (challenger)" : ""))))),
            "No models are registered (batchscoring models register)."));
        return Page("Models", body.ToString());
    }
}
