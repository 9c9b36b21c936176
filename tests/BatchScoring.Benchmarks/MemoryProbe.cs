using System.Diagnostics;
using System.Globalization;
using System.Reflection;

namespace BatchScoring.Benchmarks;

/// <summary>
/// Runs one pipeline in a child process (the harness itself in its hidden <c>--pipeline-only</c> mode)
/// so that its peak resident set (Linux VmHWM) is that run's alone.
/// </summary>
public static class MemoryProbe
{
    private const string PeakPrefix = "PEAK_WORKING_SET=";
    private const string ElapsedPrefix = "ELAPSED_SECONDS=";

    public sealed record Result(long PeakBytes, TimeSpan Elapsed);

    public static async Task<Result> MeasureAsync(string connectionString, string sourceTable, string outputTable, string modelFile,
        IReadOnlyList<string> settings)
    {
        var start = new ProcessStartInfo(Environment.ProcessPath!) { RedirectStandardOutput = true, RedirectStandardError = true };
        if (Path.GetFileNameWithoutExtension(Environment.ProcessPath) == "dotnet")
            start.ArgumentList.Add(Assembly.GetExecutingAssembly().Location);
        foreach (var argument in (string[])["--pipeline-only", connectionString, sourceTable, outputTable, modelFile])
            start.ArgumentList.Add(argument);
        foreach (var setting in settings)
        {
            start.ArgumentList.Add("--set");
            start.ArgumentList.Add(setting);
        }
        using var child = Process.Start(start) ?? throw new InvalidOperationException("Could not start the pipeline child process.");
        var output = child.StandardOutput.ReadToEndAsync();
        var errors = child.StandardError.ReadToEndAsync();
        await child.WaitForExitAsync();
        var text = await output;
        var lines = text.Split('\n', StringSplitOptions.TrimEntries);
        if (child.ExitCode != 0)
            throw new InvalidOperationException($"The pipeline child process exited {child.ExitCode}:\n{text}\n{await errors}");
        string Value(string prefix) => lines.FirstOrDefault(l => l.StartsWith(prefix, StringComparison.Ordinal))?[prefix.Length..]
            ?? throw new InvalidOperationException($"The pipeline child process did not report {prefix}:\n{text}");
        return new Result(long.Parse(Value(PeakPrefix), CultureInfo.InvariantCulture),
            TimeSpan.FromSeconds(double.Parse(Value(ElapsedPrefix), CultureInfo.InvariantCulture)));
    }

    /// <summary>The child's side: run the pipeline, then report its own peak (VmHWM on Linux) and time.</summary>
    public static async Task<int> RunChildAsync(PipelineOnly task, IReadOnlyDictionary<string, string> settings)
    {
        var elapsed = await PipelineRun.RunAsync(task.ConnectionString, "bench-memory", PipelineRun.TableSource(task.SourceTable),
            PipelineRun.TableOutput(task.OutputTable), task.OutputTable, task.ModelFile, settings);
        using var self = Process.GetCurrentProcess();
        self.Refresh();
        Console.WriteLine(PeakPrefix + self.PeakWorkingSet64.ToString(CultureInfo.InvariantCulture));
        Console.WriteLine(ElapsedPrefix + elapsed.Elapsed.TotalSeconds.ToString("R", CultureInfo.InvariantCulture));
        return 0;
    }
}
