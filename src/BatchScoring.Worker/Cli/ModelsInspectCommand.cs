using System.CommandLine;
using BatchScoring.Core.Batches;
using BatchScoring.Core.Errors;
using BatchScoring.Core.Jobs;
using BatchScoring.Core.Scoring;
using BatchScoring.Models.Description;
using BatchScoring.Models.Loading;
using BatchScoring.Worker.Execution;
using BatchScoring.Worker.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace BatchScoring.Worker.Cli;

/// <summary>
/// <c>batchscoring models inspect &lt;file | name@alias&gt; [--job J]</c>: what a model file is (format, task, inputs, outputs,
/// classes, feature order, the columns it writes), and with a job whether each input binds to a column of the job's source.
/// Exit 2 when the model cannot be loaded, does not fit the job's model keys, or an input does not bind.
/// </summary>
internal static class ModelsInspectCommand
{
    public static Command Create(IConfigurationRoot configuration)
    {
        var model = new Argument<string>("model") { Description = "A model file (.zip, .onnx, .json, .txt) or a registered name@alias / name@version." };
        var job = new Option<string?>("--job") { Description = "A job name (under Jobs:Directory) or job file: check the model against its source and model keys." };
        var output = OutputFormat.Create();
        var command = new Command("inspect", "Describe a model file; with --job, check that every input binds to the job's source.") { model, job, output };
        command.SetAction((parse, cancellationToken) => CliAction.RunAsync(async () =>
        {
            var target = parse.GetValue(model)!;
            var json = OutputFormat.IsJson(parse, output);
            var jobName = parse.GetValue(job);
            var isFile = File.Exists(target);
            if (!isFile && LooksLikeAFile(target))
                throw new BatchScoringException($"No model file {Path.GetFullPath(target)}.");
            if (isFile && jobName is null)
                return Print(Path.GetFullPath(target), new ModelFileLoader().Load(target).Scorer, null, json);

            using var host = await CliHost.CurrentAsync(configuration, cancellationToken);
            var loaded = isFile
                ? host.Services.GetRequiredService<ModelFileLoader>().Load(target)
                : await host.Services.GetRequiredService<ModelResolver>().LoadRegisteredAsync(Reference(target), cancellationToken);
            var name = isFile ? Path.GetFullPath(target) : $"{loaded.Name}@{loaded.Version} ({loaded.Path})";
            if (jobName is null)
                return Print(name, loaded.Scorer, null, json);

            var spec = File.Exists(jobName)
                ? JobSpecLoader.LoadFile(jobName)
                : JobSpecLoader.LoadByName(host.Services.GetRequiredService<IOptions<JobsOptions>>().Value.Directory, jobName);
            var bound = ModelBinder.ForJob(loaded, spec).Scorer;
            var source = SourceFactory.Create(host.Services.GetRequiredService<SourceDataSource>(), spec.Source,
                host.Services.GetRequiredService<IOptions<SourcesOptions>>().Value.ParquetPaths());
            var columns = await source.DescribeAsync(cancellationToken);
            return Print(name, bound, (spec, columns), json);
        }));
        return command;
    }

    private static readonly string[] ModelFileExtensions = [".zip", ".onnx", ".json", ".txt"];

    private static bool LooksLikeAFile(string text)
        => text.Contains('/', StringComparison.Ordinal) || ModelFileExtensions.Contains(Path.GetExtension(text), StringComparer.OrdinalIgnoreCase);

    private static ModelReference Reference(string text)
        => ModelReference.TryParse(text, out var reference, out var error)
            ? reference
            : throw new FileNotFoundException($"No model file {Path.GetFullPath(text)}, and '{text}' is not a registered model reference: {error}.");

    private static int Print(string name, IScorer scorer, (JobSpec Job, IReadOnlyList<ColumnSchema> Columns)? fit, bool json)
    {
        var description = scorer is IModelScorer described ? described.Description : throw new InvalidOperationException($"{scorer.GetType().Name} does not describe itself.");
        var fits = fit is { } f ? ModelFit.Check(f.Job.Source.ToString() ?? "the source", scorer.Inputs, f.Columns, f.Job.FeatureMapping) : null;
        if (json)
            OutputFormat.Write(new
            {
                Model = name,
                description.Format,
                Task = ModelDescriptionText.Task(description.Task),
                Inputs = description.Inputs.Select(Port),
                Outputs = description.Outputs.Select(Port),
                description.Classes,
                Features = description.FeatureOrder,
                Writes = scorer.Outputs.Select(c => new { c.Name, Type = c.Kind.ToString() }),
                Fit = fit is { } j && fits is not null
                    ? new
                    {
                        Job = j.Job.Name,
                        Source = j.Job.Source.ToString(),
                        Fits = fits.All(x => x.Problem is null),
                        Inputs = fits.Select(x => new { Input = x.Input.Name, x.SourceColumn, ColumnType = x.Column?.SourceType, x.Problem }),
                    }
                    : null,
            });
        else
        {
            foreach (var line in ModelDescriptionText.Lines(name, description, scorer.Outputs))
                Console.WriteLine(line);
            if (fit is { } j && fits is not null)
                foreach (var line in ModelDescriptionText.FitLines($"{j.Job.Name} ({j.Job.FilePath})", j.Job.Source.ToString() ?? "", fits))
                    Console.WriteLine(line);
        }
        return fits is not null && fits.Any(x => x.Problem is not null) ? ExitCodes.InvalidInput : ExitCodes.Succeeded;
    }

    private static object Port(ModelPort port) => new { port.Name, port.Type, port.Shape };
}
