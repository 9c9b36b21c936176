using BatchScoring.Postgres.Migrations;
using BatchScoring.Postgres.Registry;
using BatchScoring.Worker.Execution;
using BatchScoring.Worker.Hosting;
using Microsoft.Extensions.DependencyInjection;

namespace BatchScoring.Benchmarks;

/// <summary>
/// What drift costs a run: the pipeline on a registered model version with a reference profile (every partition
/// sketches every model input and output, the finalizer merges the sketches and stores the report) against the
/// pipeline on the same model file without a reference. The two alternate, round by round, since the machine is
/// shared; each side's median counts.
/// </summary>
public static class DriftOverhead
{
    private const string ModelName = "bench-drift";

    /// <param name="warmUpTable">Scored once each way first, so that neither side pays for the JIT.</param>
    public static async Task<(Timed Without, Timed With)> MeasureAsync(string connectionString, string table, string warmUpTable, string referenceTable,
        string modelFile, IReadOnlyDictionary<string, string> settings, int rounds)
    {
        // One store for the registration and the runs, so the runs find the registered file.
        var store = Path.Combine(Path.GetTempPath(), "batchscoring-bench-drift-store");
        var withStore = new Dictionary<string, string>(settings) { ["Models:StoreDirectory"] = store };
        var model = await RegisterAsync(connectionString, referenceTable, modelFile, withStore);
        Task<Timed> Run(string source, string? registered) => PipelineRun.RunAsync(connectionString, registered is null ? "bench-no-drift" : "bench-drift",
            PipelineRun.TableSource(source), PipelineRun.TableOutput("scored.bench_drift"), "scored.bench_drift", modelFile, withStore, registeredModel: registered);
        await Run(warmUpTable, null);
        await Run(warmUpTable, model);
        List<Timed> without = [], with = [];
        for (var round = 0; round < rounds; round++)
        {
            Console.WriteLine($"Measuring the pipeline without and with drift, round {round + 1} of {rounds}");
            var first = await Run(table, round % 2 == 0 ? null : model);
            var second = await Run(table, round % 2 == 0 ? model : null);
            without.Add(round % 2 == 0 ? first : second);
            with.Add(round % 2 == 0 ? second : first);
            Console.WriteLine($"  without {without[^1].Elapsed.TotalSeconds:0.00} s, with {with[^1].Elapsed.TotalSeconds:0.00} s");
        }
        return (Median(without), Median(with));
    }

    /// <summary>Registers the model file as the next version of <see cref="ModelName"/>, profiled on <paramref name="referenceTable"/>.</summary>
    private static async Task<string> RegisterAsync(string connectionString, string referenceTable, string modelFile, IReadOnlyDictionary<string, string> settings)
    {
        var folder = Path.Combine(Path.GetTempPath(), "batchscoring-bench-jobs-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(folder);
        try
        {
            using var host = await ServiceHost.BuildAsync(PipelineRun.Configuration(connectionString, folder, modelFile, settings), CancellationToken.None);
            await host.Services.GetRequiredService<MigrationRunner>().ApplyAsync(CancellationToken.None);
            var record = await host.Services.GetRequiredService<ModelRegistry>().RegisterAsync(ModelName, modelFile, [], null, CancellationToken.None);
            Console.WriteLine($"Profiling {referenceTable} as the drift reference of {record}");
            await host.Services.GetRequiredService<ReferenceProfileBuilder>().BuildAsync(record.Name, record.Version, referenceTable, ["customer_id"], CancellationToken.None);
            return $"{record.Name}@{record.Version}";
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static Timed Median(List<Timed> times) => times.OrderBy(t => t.Elapsed).ElementAt(times.Count / 2);
}
