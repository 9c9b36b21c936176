using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using BatchScoring.Core.Errors;
using BatchScoring.Core.Models;
using BatchScoring.Models.Loading;
using BatchScoring.Models.Onnx;
using BatchScoring.Postgres.Registry;
using BatchScoring.Worker.Execution;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace BatchScoring.Worker.Cli;

/// <summary><c>batchscoring models register|list|alias|convert|inspect</c>: the model registry from the command line.</summary>
internal static class ModelsCommands
{
    public static Command Create(IConfigurationRoot configuration)
    {
        var command = new Command("models", "The model registry: register model files as versions, list them, point aliases at versions.");
        command.Subcommands.Add(Register(configuration));
        command.Subcommands.Add(List(configuration));
        command.Subcommands.Add(Alias(configuration));
        command.Subcommands.Add(Convert());
        command.Subcommands.Add(ModelsInspectCommand.Create(configuration));
        return command;
    }

    private static Command Convert()
    {
        var source = new Argument<string>("model") { Description = "An ML.NET .zip model." };
        var target = new Argument<string>("onnx") { Description = "The ONNX file to write." };
        var command = new Command("convert", "Convert an ML.NET .zip model to ONNX; both score to the same output columns.") { source, target };
        command.SetAction((parse, _) => CliAction.RunAsync(() =>
        {
            var (from, to) = (parse.GetValue(source)!, parse.GetValue(target)!);
            if (ModelFormats.FromPath(from) != ModelFormat.MlNet || ModelFormats.FromPath(to) != ModelFormat.Onnx)
                throw new BatchScoringException($"convert reads an ML.NET .zip and writes an .onnx file, not {from} → {to}.");
            if (!File.Exists(from))
                throw new BatchScoringException($"Model file {Path.GetFullPath(from)} does not exist.");
            OnnxModelExporter.Export(from, to);
            Console.WriteLine($"Wrote {Path.GetFullPath(to)}");
            return Task.FromResult(ExitCodes.Succeeded);
        }));
        return command;
    }

    private static Command Register(IConfigurationRoot configuration)
    {
        var name = new Argument<string>("name") { Description = "The model's name; jobs refer to it as name@alias or name@version." };
        var file = new Argument<string>("file") { Description = "An ML.NET .zip, ONNX .onnx, XGBoost .json or LightGBM .txt file; it is loaded and checked, then copied into the model store." };
        var alias = new Option<string[]>("--alias") { Description = "Point this alias (e.g. champion, challenger) at the new version; repeatable." };
        var metrics = new Option<string?>("--metrics") { Description = "The model's metrics as a JSON object, e.g. '{\"auc\": 0.91}'." };
        var reference = new Option<string?>("--reference")
        {
            Description = "Training data to profile for drift: a table (schema.table) or a Parquet file, folder or glob; stored with the version.",
        };
        var referenceKey = new Option<string[]>("--reference-key")
        {
            Description = "Key column(s) of the reference rows, for its uniform sample (default: its first column); repeatable.",
        };
        var command = new Command("register", "Register a model file as the next version of a name.") { name, file, alias, metrics, reference, referenceKey };
        command.SetAction((parse, cancellationToken) => CliAction.RunAsync(async () =>
        {
            using var host = await CliHost.CurrentAsync(configuration, cancellationToken);
            var checkedModel = ModelCheck.Describe(host.Services.GetRequiredService<ModelFileLoader>(), parse.GetValue(file)!);
            var record = await host.Services.GetRequiredService<ModelRegistry>().RegisterAsync(
                parse.GetValue(name)!, parse.GetValue(file)!, parse.GetValue(alias) ?? [], parse.GetValue(metrics), checkedModel.Json, cancellationToken);
            Console.WriteLine($"Registered {record} ({record.Format.StoredName()}, sha256 {record.Sha256})");
            Console.WriteLine($"  model    {checkedModel.Summary}");
            Console.WriteLine($"  file     {record.FilePath}");
            if (record.Aliases.Count > 0)
                Console.WriteLine($"  aliases  {string.Join(", ", record.Aliases)}");
            if (parse.GetValue(reference) is { } source)
            {
                var profile = await host.Services.GetRequiredService<ReferenceProfileBuilder>().BuildAsync(
                    record.Name, record.Version, source, parse.GetValue(referenceKey) ?? [], cancellationToken);
                Console.WriteLine($"  profile  {profile.RowCount:N0} reference rows from {source} (drift reference of this version)");
            }
            return ExitCodes.Succeeded;
        }));
        return command;
    }

    private static Command List(IConfigurationRoot configuration)
    {
        var name = new Argument<string?>("name") { Description = "Only the versions of this model.", Arity = ArgumentArity.ZeroOrOne };
        var output = OutputFormat.Create();
        var command = new Command("list", "List registered model versions with their aliases, format, hash and metrics.") { name, output };
        command.SetAction((parse, cancellationToken) => CliAction.RunAsync(async () =>
        {
            using var host = await CliHost.CurrentAsync(configuration, cancellationToken);
            var models = await host.Services.GetRequiredService<ModelRegistry>().ListAsync(parse.GetValue(name), cancellationToken);
            if (OutputFormat.IsJson(parse, output))
            {
                OutputFormat.Write(models.Select(m => new
                {
                    m.Name, m.Version, Format = m.Format.StoredName(), m.Aliases, m.Sha256, m.FilePath, m.HasReferenceProfile,
                    RegisteredAt = m.CreatedAt.ToUniversalTime(), Metrics = JsonDocument.Parse(m.MetricsJson).RootElement,
                }));
                return ExitCodes.Succeeded;
            }
            if (models.Count == 0)
            {
                Console.WriteLine("No models are registered.");
                return ExitCodes.Succeeded;
            }
            Console.WriteLine($"{"model",-24} {"version",7}  {"format",-6} {"aliases",-22} {"registered (UTC)",-17} {"sha256",-12}  metrics");
            foreach (var m in models)
            {
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{m.Name,-24} {m.Version,7}  {m.Format.StoredName(),-6} {string.Join(",", m.Aliases),-22} {m.CreatedAt.ToUniversalTime():yyyy-MM-dd HH:mm} {m.Sha256[..12]}  {m.MetricsJson}"));
            }
            return ExitCodes.Succeeded;
        }));
        return command;
    }

    private static Command Alias(IConfigurationRoot configuration)
    {
        var name = new Argument<string>("name") { Description = "The model's name." };
        var version = new Argument<int>("version") { Description = "The version the alias should point at." };
        var alias = new Argument<string>("alias") { Description = "The alias, e.g. champion or challenger; the next run of a job naming name@alias uses the new version." };
        var command = new Command("alias", "Point an alias of a model at one of its versions.") { name, version, alias };
        command.SetAction((parse, cancellationToken) => CliAction.RunAsync(async () =>
        {
            using var host = await CliHost.CurrentAsync(configuration, cancellationToken);
            var (model, target, word) = (parse.GetValue(name)!, parse.GetValue(version), parse.GetValue(alias)!);
            var previous = await host.Services.GetRequiredService<ModelRegistry>().SetAliasAsync(model, target, word, cancellationToken);
            Console.WriteLine(previous is { } was && was != target
                ? $"{model}@{word} now points at version {target} (was {was})."
                : $"{model}@{word} points at version {target}.");
            return ExitCodes.Succeeded;
        }));
        return command;
    }
}
