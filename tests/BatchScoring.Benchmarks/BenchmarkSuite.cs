namespace BatchScoring.Benchmarks;

/// <summary>Sets up the data once, runs the selected measures in order, prints the table and writes the report.</summary>
public sealed class BenchmarkSuite(BenchmarkArguments arguments, string[] commandLine)
{
    public const int NaiveSample = 20_000;
    private const int WarmUpRows = 20_000;
    private const int DriftReferenceRows = 100_000;
    private const int DriftRounds = 5;
    private const int PipelineRounds = 3;
    private static readonly string PipelineName = $"Pipeline: PostgreSQL → PostgreSQL (job run), median of {PipelineRounds}";

    /// <summary>The pipeline again with one optimisation switched off, to show what each gives in the same run.</summary>
    private static readonly (string Key, string Value, string What)[] Variants =
    [
        ("Worker:DirectWrites", "false", "direct writes: staging table + upsert merge"),
        ("Models:CompileTreeEnsembles", "false", "compiled trees: ML.NET's own transform"),
        ("Worker:ScoreThreads", "1", "parallel scoring: one score thread"),
    ];

    public async Task<int> RunAsync()
    {
        var started = DateTime.UtcNow;
        var loadBefore = MachineDescription.LoadAverage();
        var rows = arguments.Rows;
        var settings = arguments.SettingsDictionary;
        var results = new List<Measurement>();
        var ratios = new List<(string Name, string Value)>();
        var scratch = Path.Combine(Path.GetTempPath(), "batchscoring-bench-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(scratch);
        await using var database = await BenchmarkDatabase.OpenAsync();
        try
        {
            var model = BenchmarkData.EnsureModel();
            Console.WriteLine($"Loading {rows:N0} synthetic customers");
            var table = await BenchmarkData.EnsureTableAsync(database.DataSource, rows);

            IoFloor.Result? floor = null;
            if (arguments.Runs("floor"))
            {
                Console.WriteLine("Measuring the I/O floor (COPY out, COPY in)");
                floor = await IoFloor.MeasureAsync(database.DataSource, table);
                results.Add(new Measurement("I/O floor: COPY out (key + 10 features)", rows, floor.CopyOut));
                results.Add(new Measurement("I/O floor: COPY in (output table, PK + scored_at index)", rows, floor.CopyIn));
                results.Add(new Measurement("I/O floor: total", rows, floor.Total));
                results.Add(new Measurement("For comparison, no scoring: COPY into a temp staging table + INSERT … ON CONFLICT merge (how a table that already holds rows is written)", rows, floor.StagedMerge));
            }

            if (arguments.Runs("stages"))
            {
                Console.WriteLine("Measuring the read and score stages alone, one thread each");
                results.Add(new Measurement("Stage alone: read (table source → batches, 1 thread)", rows, await StageProbe.ReadAsync(database.DataSource, table)));
                StageProbe.Score(model, Math.Min(rows, 50_000), compileTrees: true);
                results.Add(new Measurement("Stage alone: score (bind + compiled trees, in-memory batches, 1 thread)", rows, StageProbe.Score(model, rows, compileTrees: true)));
                StageProbe.Score(model, Math.Min(rows, 50_000), compileTrees: false);
                results.Add(new Measurement("Stage alone: score (bind + ML.NET's transform, in-memory batches, 1 thread)", rows, StageProbe.Score(model, rows, compileTrees: false)));
            }

            Timed? pipeline = null;
            if (arguments.Runs("pipeline"))
            {
                Console.WriteLine("Warming up the pipeline");
                var warmUp = await BenchmarkData.EnsureTableAsync(database.DataSource, WarmUpRows);
                await PipelineRun.RunAsync(database.ConnectionString, "bench-warm-up", PipelineRun.TableSource(warmUp),
                    PipelineRun.TableOutput("scored.bench_warm_up"), "scored.bench_warm_up", model, settings);
                Console.WriteLine("Measuring the pipeline (PostgreSQL → PostgreSQL)");
                pipeline = await PipelineAsync(database, table, model, settings);
                results.Add(new Measurement(PipelineName, rows, pipeline));
                if (floor is not null)
                    ratios.Add(("pipeline time / I/O floor time (target ≤ 1.5)", $"{pipeline.Elapsed / floor.Total.Elapsed:0.00}"));
                foreach (var (key, value, what) in Variants.Where(v => !settings.ContainsKey(v.Key)))
                {
                    Console.WriteLine($"Measuring the pipeline with {key}={value}");
                    var variant = await PipelineRun.RunAsync(database.ConnectionString, "bench-variant", PipelineRun.TableSource(table),
                        PipelineRun.TableOutput("scored.bench_variant"), "scored.bench_variant", model,
                        new Dictionary<string, string>(settings) { [key] = value });
                    results.Add(new Measurement($"Pipeline without {what} (`{key}={value}`)", rows, variant));
                }
            }

            if (arguments.Runs("drift"))
            {
                var warmUp = await BenchmarkData.EnsureTableAsync(database.DataSource, WarmUpRows);
                var reference = await BenchmarkData.EnsureTableAsync(database.DataSource, Math.Min(rows, DriftReferenceRows));
                var (without, with) = await DriftOverhead.MeasureAsync(database.ConnectionString, table, warmUp, reference, model, settings, DriftRounds);
                results.Add(new Measurement($"Pipeline without drift (model file, no reference), median of {DriftRounds} alternating", rows, without));
                results.Add(new Measurement($"Pipeline with drift (registered version, reference profile of {Math.Min(rows, DriftReferenceRows):N0} rows), median of {DriftRounds} alternating", rows, with));
                ratios.Add(("pipeline time with drift / without (target ≤ 1.10)", $"{with.Elapsed / without.Elapsed:0.00}"));
            }

            if (arguments.Runs("drift-stage"))
            {
                var (score, sketch) = await DriftSketchStage.MeasureAsync(model, rows, (int)Math.Min(rows, DriftReferenceRows), DriftRounds);
                results.Add(new Measurement($"Stage alone: score (bind + compiled trees, in-memory batches, 1 thread), median of {DriftRounds} alternating", rows, score));
                results.Add(new Measurement($"Stage alone: drift sketch update of the scored batches (key hashes, 10 inputs + outputs, 1 thread), median of {DriftRounds} alternating", rows, sketch));
                ratios.Add(("drift sketch update time / score stage time", $"{sketch.Elapsed / score.Elapsed:0.00}"));
            }

            if (arguments.Runs("rerun"))
                await RerunMeasure.MeasureAsync(database, table, model, settings, rows, results, ratios);

            if (arguments.Runs("skip"))
                await SkipUnchangedMeasure.MeasureAsync(database, table, model, settings, rows, results, ratios);
            if (arguments.Runs("console"))
                await ConsoleRender.MeasureAsync(database, model, settings, results, ratios);

            if (arguments.Runs("startup") && arguments.Batchscoring is { } binary)
                await StartupMeasure.MeasureAsync(binary, database, table, model, settings, rows, pipeline, results, ratios);

            if (arguments.Runs("python"))
            {
                var (json, onnx) = PythonModels.Ensure();
                var warmUp = await BenchmarkData.EnsureTableAsync(database.DataSource, WarmUpRows);
                if (pipeline is null)
                {
                    await PipelineRun.RunAsync(database.ConnectionString, "bench-warm-up", PipelineRun.TableSource(warmUp),
                        PipelineRun.TableOutput("scored.bench_warm_up"), "scored.bench_warm_up", model, settings);
                    Console.WriteLine("Measuring the pipeline with the FastTree model, for comparison");
                    pipeline = await PipelineAsync(database, table, model, settings);
                    results.Add(new Measurement(PipelineName, rows, pipeline));
                }
                foreach (var (file, what) in new[] { (json, "XGBoost JSON"), (onnx, "the same XGBoost model as ONNX") })
                {
                    await PipelineRun.RunAsync(database.ConnectionString, "bench-python-warm-up", PipelineRun.TableSource(warmUp),
                        PipelineRun.TableOutput("scored.bench_python_warm_up"), "scored.bench_python_warm_up", file, settings, PythonModels.ModelKeys);
                    Console.WriteLine($"Measuring the pipeline with {what}");
                    var python = await PipelineRun.RunAsync(database.ConnectionString, "bench-python", PipelineRun.TableSource(table),
                        PipelineRun.TableOutput("scored.bench_python"), "scored.bench_python", file, settings, PythonModels.ModelKeys);
                    results.Add(new Measurement($"Pipeline with {what} ({BenchmarkData.Trees} trees, ≤ {BenchmarkData.Leaves} leaves, 8 numeric features)", rows, python));
                    ratios.Add(($"pipeline time with {what} / with FastTree (target ≤ 1.2)", $"{python.Elapsed / pipeline.Elapsed:0.00}"));
                }
            }

            if (arguments.Runs("naive"))
            {
                var sample = (int)Math.Min(NaiveSample, rows);
                Console.WriteLine($"Measuring the naive loop on {sample:N0} rows");
                var naive = await NaiveLoop.MeasureAsync(database.DataSource, table, model, sample);
                var extrapolated = naive.Times((double)rows / sample);
                results.Add(new Measurement($"Naive loop (Dapper + PredictionEngine + INSERT per row), {sample:N0}-row sample extrapolated", rows, extrapolated));
                if (pipeline is not null)
                    ratios.Add(("pipeline rows/s / naive rows/s (target ≥ 50)", $"{extrapolated.Elapsed / pipeline.Elapsed:0.0}"));
            }

            if (arguments.Runs("parquet"))
            {
                var input = Path.Combine(scratch, "parquet-in");
                var warmUp = Path.Combine(scratch, "parquet-warm-up");
                Console.WriteLine("Writing the Parquet input");
                await BenchmarkData.WriteParquetAsync(input, rows);
                await BenchmarkData.WriteParquetAsync(warmUp, WarmUpRows);
                Console.WriteLine("Warming up Parquet → Parquet");
                await PipelineRun.RunAsync(database.ConnectionString, "bench-parquet-warm-up", PipelineRun.ParquetSource(warmUp),
                    PipelineRun.ParquetOutput(Path.Combine(scratch, "parquet-warm-up-out")), null, model, settings);
                Console.WriteLine("Measuring Parquet → Parquet");
                var parquet = await PipelineRun.RunAsync(database.ConnectionString, "bench-parquet", PipelineRun.ParquetSource(input),
                    PipelineRun.ParquetOutput(Path.Combine(scratch, "parquet-out")), null, model, settings);
                results.Add(new Measurement("Parquet → Parquet (job run, output.parquet_folder only)", rows, parquet));
            }

            if (arguments.Runs("memory"))
            {
                Console.WriteLine($"Measuring peak memory of the pipeline at {rows:N0} rows (child process)");
                var small = await MemoryProbe.MeasureAsync(database.ConnectionString, table, "scored.bench_memory_n", model, arguments.Settings);
                Console.WriteLine($"Loading {5 * rows:N0} synthetic customers");
                var bigTable = await BenchmarkData.EnsureTableAsync(database.DataSource, 5 * rows);
                Console.WriteLine($"Measuring peak memory of the pipeline at {5 * rows:N0} rows (child process)");
                var big = await MemoryProbe.MeasureAsync(database.ConnectionString, bigTable, "scored.bench_memory_5n", model, arguments.Settings);
                results.Add(new Measurement("Pipeline in a child process (cold start), N rows", rows, new Timed(small.Elapsed, null), $"peak working set {Mib(small.PeakBytes)}"));
                results.Add(new Measurement("Pipeline in a child process (cold start), 5N rows", 5 * rows, new Timed(big.Elapsed, null), $"peak working set {Mib(big.PeakBytes)}"));
                ratios.Add(("peak memory 5N / N (target ≤ 1.2)", $"{(double)big.PeakBytes / small.PeakBytes:0.00}"));
            }
        }
        finally
        {
            Directory.Delete(scratch, recursive: true);
        }

        var report = new BenchmarkReport(started, DateTime.UtcNow, rows, commandLine, settings, database.Description,
            loadBefore, MachineDescription.LoadAverage(), results, ratios);
        Console.WriteLine();
        Console.WriteLine(report.Table());
        if (arguments.Write)
        {
            var path = report.Write();
            Console.WriteLine($"Wrote {path}");
        }
        return 0;
    }

    /// <summary>
    /// The job run of the bench table, median of <see cref="PipelineRounds"/>: several ratios divide by it (the I/O floor,
    /// the whole process, the Python models), and single runs of it moved between 2.01 and 2.29 s in one session.
    /// </summary>
    private static async Task<Timed> PipelineAsync(BenchmarkDatabase database, string table, string model, IReadOnlyDictionary<string, string> settings)
    {
        var runs = new List<Timed>();
        for (var round = 0; round < PipelineRounds; round++)
            runs.Add(await PipelineRun.RunAsync(database.ConnectionString, "bench-pipeline", PipelineRun.TableSource(table),
                PipelineRun.TableOutput("scored.bench_pipeline"), "scored.bench_pipeline", model, settings));
        return runs.OrderBy(r => r.Elapsed).ElementAt(PipelineRounds / 2);
    }

    private static string Mib(long bytes) => $"{bytes / (1024.0 * 1024):0} MiB";
}
