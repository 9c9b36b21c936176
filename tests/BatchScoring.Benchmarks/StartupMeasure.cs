using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Configuration;

namespace BatchScoring.Benchmarks;

/// <summary>
/// Whole <c>batchscoring</c> processes of a published binary (<c>--batchscoring PATH</c>; publishing inside the
/// harness would take minutes): a 1M-row <c>run</c> with its start-up, next to the in-process pipeline, then
/// <c>--help</c> and <c>runs</c> against the harness's database, min and median of <see cref="Rounds"/> (of <see cref="RunRounds"/> for
/// the <c>run</c>, whose single samples varied by ±0.15 s); once for each of <see cref="Variants"/>, one after the other.
/// </summary>
public static class StartupMeasure
{
    private const int Rounds = 5;
    private const int RunRounds = 3;
    private const string Job = "bench-startup";
    private const string OutputTable = "scored.bench_startup";

    /// <summary>
    /// The binary as published (tiering on, methods with loops fully optimised at once, no profile-guided
    /// re-compilation), then with tiered compilation off, and with the runtime's own defaults (the environment wins
    /// over the project's settings).
    /// </summary>
    private static readonly (string Name, (string Key, string Value)[] Variables)[] Variants =
    [
        ("as published", []),
        ("DOTNET_TieredCompilation=0", [("DOTNET_TieredCompilation", "0")]),
        ("DOTNET_TC_QuickJitForLoops=1 DOTNET_TieredPGO=1", [("DOTNET_TC_QuickJitForLoops", "1"), ("DOTNET_TieredPGO", "1")]),
    ];

    public static async Task MeasureAsync(string binary, BenchmarkDatabase database, string table, string model,
        IReadOnlyDictionary<string, string> settings, long rows, Timed? inProcess, List<Measurement> results, List<(string Name, string Value)> ratios)
    {
        var folder = PipelineRun.NewJobFolder();
        try
        {
            var environment = ChildEnvironment(database.ConnectionString, folder, model, settings);
            await PipelineRun.WriteJobAsync(folder, Job, PipelineRun.TableSource(table), PipelineRun.TableOutput(OutputTable), model);
            foreach (var (name, variables) in Variants)
            {
                var variant = new Dictionary<string, string?>(environment);
                foreach (var (key, value) in variables)
                    variant[key] = value;
                Console.WriteLine($"Measuring whole `batchscoring` processes ({binary}), {name}");
                var whole = new List<TimeSpan>();
                for (var round = 0; round < RunRounds; round++)
                {
                    // Into an empty table after a checkpoint, as the in-process pipeline measure runs.
                    await PipelineRun.DropAsync(database.ConnectionString, OutputTable);
                    await BenchmarkDatabase.CheckpointAsync(database.DataSource);
                    whole.Add(await TimeAsync(binary, variant, "run", Job));
                }
                var run = Median(whole);
                results.Add(new Measurement($"Whole process: `batchscoring run`, start-up included, {name}, median of {RunRounds}", rows, new Timed(run, null),
                    $"min {Seconds(whole.Min())} s, max {Seconds(whole.Max())} s"));
                if (inProcess is not null)
                    ratios.Add(($"whole-process run time (median) / in-process pipeline time, {name} (target ≤ 1.25)", $"{run / inProcess.Elapsed:0.00}"));

                var help = new List<TimeSpan>();
                var runs = new List<TimeSpan>();
                for (var round = 0; round < Rounds; round++)
                {
                    help.Add(await TimeAsync(binary, variant, "--help"));
                    runs.Add(await TimeAsync(binary, variant, "runs"));
                }
                results.Add(Summary($"Start-up: `batchscoring --help`, {name}", help));
                results.Add(Summary($"Start-up: `batchscoring runs` (a running database), {name}", runs));
                ratios.Add(($"`batchscoring --help` median, s, {name} (target ≤ 0.15)", Seconds(Median(help))));
                ratios.Add(($"`batchscoring runs` median, s, {name} (target ≤ 0.4)", Seconds(Median(runs))));
            }
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
            await PipelineRun.DropAsync(database.ConnectionString, OutputTable);
        }
    }

    /// <summary>The settings <see cref="PipelineRun.Configuration"/> gives the in-process runs, as the child's environment.</summary>
    private static Dictionary<string, string?> ChildEnvironment(string connectionString, string folder, string model, IReadOnlyDictionary<string, string> settings)
    {
        var environment = PipelineRun.Configuration(connectionString, folder, model, settings).AsEnumerable()
            .Where(pair => pair.Value is not null)
            .ToDictionary(pair => pair.Key.Replace(":", "__", StringComparison.Ordinal), pair => pair.Value);
        environment["Observability__MetricsAddress"] = "";
        return environment;
    }

    private static async Task<TimeSpan> TimeAsync(string binary, Dictionary<string, string?> environment, params string[] arguments)
    {
        var start = new ProcessStartInfo(binary) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
            start.ArgumentList.Add(argument);
        foreach (var (key, value) in environment)
            start.Environment[key] = value;
        var clock = Stopwatch.StartNew();
        using var child = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {binary}.");
        var output = child.StandardOutput.ReadToEndAsync();
        var errors = child.StandardError.ReadToEndAsync();
        await child.WaitForExitAsync();
        var elapsed = clock.Elapsed;
        if (child.ExitCode != 0)
            throw new InvalidOperationException($"`{binary} {string.Join(' ', arguments)}` exited {child.ExitCode}:\n{await output}\n{await errors}");
        return elapsed;
    }

    private static Measurement Summary(string name, List<TimeSpan> times)
        => new($"{name}, median of {times.Count}", 1, new Timed(Median(times), null), $"min {Seconds(times.Min())} s");

    private static TimeSpan Median(List<TimeSpan> times) => times.Order().ElementAt(times.Count / 2);

    private static string Seconds(TimeSpan time) => time.TotalSeconds.ToString("0.000", CultureInfo.InvariantCulture);
}
