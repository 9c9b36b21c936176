using System.CommandLine;
using BatchScoring.Core.Batches;
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
        var command = new Command("inspect", "Describe a model file; with --job, check that every input binds to the job's source.") { model, job };
        command.SetAction((parse, cancellationToken) => CliAction.RunAsync(async () =>
        {
            var target = parse.GetValue(model)!;
            var jobName = parse.GetValue(job);
            var isFile = File.Exists(target);
            if (isFile && jobName is null)
                return Print(Path.GetFullPath(target), new ModelFileLoader().Load(target).Scorer, null);

            using var host = await CliHost.CurrentAsync(configuration, cancellationToken);
            var loaded = isFile
                ? host.Services.GetRequiredService<ModelFileLoader>().Load(target)
                : await host.Services.GetRequiredService<ModelResolver>().LoadRegisteredAsync(Reference(target), cancellationToken);
            var name = isFile ? Path.GetFullPath(target) : $"{loaded.Name}@{loaded.Version} ({loaded.Path})";
            if (jobName is null)
                return Print(name, loaded.Scorer, null);

            var spec = File.Exists(jobName)
                ? JobSpecLoader.LoadFile(jobName)
                : JobSpecLoader.LoadByName(host.Services.GetRequiredService<IOptions<JobsOptions>>().Value.Directory, jobName);
            var bound = ModelBinder.ForJob(loaded, spec).Scorer;
            var source = SourceFactory.Create(host.Services.GetRequiredService<SourceDataSource>(), spec.Source,
                host.Services.GetRequiredService<IOptions<SourcesOptions>>().Value.ParquetPaths());
            var columns = await source.DescribeAsync(cancellationToken);
            return Print(name, bound, (spec, columns));
        }));
        return command;
    }

    private static ModelReference Reference(string text)
        => ModelReference.TryParse(text, out var reference, out var error)
            ? reference
            : throw new FileNotFoundException($"No model file {Path.GetFullPath(text)}, and '{text}' is not a registered model reference: {error}.");

    private static int Print(string name, IScorer scorer, (JobSpec Job, IReadOnlyList<ColumnSchema> Columns)? fit)
    {
        var description = scorer is IModelScorer described ? described.Description : throw new InvalidOperationException($"{scorer.GetType().Name} does not describe itself.");
        foreach (var line in ModelDescriptionText.Lines(name, description, scorer.Outputs))
            Console.WriteLine(line);
        if (fit is not { } f)
            return ExitCodes.Succeeded;
        var fits = ModelFit.Check(f.Job.Source.ToString() ?? "the source", scorer.Inputs, f.Columns, f.Job.FeatureMapping);
        foreach (var line in ModelDescriptionText.FitLines($"{f.Job.Name} ({f.Job.FilePath})", f.Job.Source.ToString() ?? "", fits))
            Console.WriteLine(line);
        return fits.Any(x => x.Problem is not null) ? ExitCodes.InvalidInput : ExitCodes.Succeeded;
    }
}
