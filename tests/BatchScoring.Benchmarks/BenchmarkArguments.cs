namespace BatchScoring.Benchmarks;

/// <summary>The harness's command line: <c>[--rows N] [--only floor,stages,pipeline,drift,drift-stage,python,naive,parquet,memory,rerun,skip,console,startup] [--batchscoring PATH] [--set Section:Key=value]... [--no-write]</c>.</summary>
public sealed record BenchmarkArguments(long Rows, IReadOnlySet<string> Only, bool Write, IReadOnlyList<string> Settings, PipelineOnly? PipelineOnly)
{
    public static readonly string[] Measures = ["floor", "stages", "pipeline", "drift", "drift-stage", "python", "naive", "parquet", "memory", "rerun", "skip", "console", "startup"];

    /// <summary>A published <c>batchscoring</c> for the <c>startup</c> measure (<c>--batchscoring PATH</c>).</summary>
    public string? Batchscoring { get; init; }

    public bool Runs(string measure) => Only.Count == 0 || Only.Contains(measure);

    /// <summary>The <c>--set</c> configuration overrides for the pipeline runs (e.g. <c>Worker:Slots=4</c>).</summary>
    public IReadOnlyDictionary<string, string> SettingsDictionary => Settings.Select(s => s.Split('=', 2)).ToDictionary(p => p[0], p => p[1]);

    public static BenchmarkArguments Parse(string[] args)
    {
        long rows = 1_000_000;
        var only = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var write = Environment.GetEnvironmentVariable("CI") != "true";
        var settings = new List<string>();
        PipelineOnly? pipelineOnly = null;
        string? batchscoring = null;
        for (var i = 0; i < args.Length; i++)
        {
            string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value.");
            switch (args[i])
            {
                case "--rows":
                    rows = long.TryParse(Next(), out var n) && n > 0 ? n : throw new ArgumentException("--rows needs a positive whole number.");
                    break;
                case "--only":
                    foreach (var measure in Next().Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
                        only.Add(Measures.Contains(measure) ? measure
                            : throw new ArgumentException($"--only {measure}: unknown measure (one or more of {string.Join(", ", Measures)})."));
                    break;
                case "--set":
                    var setting = Next();
                    settings.Add(setting.Contains('=') ? setting : throw new ArgumentException($"--set {setting}: expected Section:Key=value."));
                    break;
                case "--batchscoring":
                    batchscoring = File.Exists(Next()) ? Path.GetFullPath(args[i]) : throw new ArgumentException($"--batchscoring {args[i]}: there is no such file.");
                    break;
                case "--no-write":
                    write = false;
                    break;
                // Hidden: the memory measure re-invokes the harness so that one process runs one pipeline.
                case "--pipeline-only":
                    pipelineOnly = new PipelineOnly(Next(), Next(), Next(), Next());
                    break;
                default:
                    throw new ArgumentException($"Unknown argument {args[i]}. Usage: [--rows N] [--only {string.Join(",", Measures)}] [--batchscoring PATH] [--set Section:Key=value] [--no-write]");
            }
        }
        if (only.Contains("startup") && batchscoring is null)
            throw new ArgumentException("--only startup needs --batchscoring PATH: a published batchscoring (docs/BENCHMARKS.md, \"Start-up\").");
        return new BenchmarkArguments(rows, only, write, settings, pipelineOnly) { Batchscoring = batchscoring };
    }
}

/// <summary>A child process's task: score <paramref name="SourceTable"/> into <paramref name="OutputTable"/> and exit.</summary>
public sealed record PipelineOnly(string ConnectionString, string SourceTable, string OutputTable, string ModelFile);
