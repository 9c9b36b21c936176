using System.Globalization;
using System.Text;
using BatchScoring.Testing;

namespace BatchScoring.Benchmarks;

/// <summary>The results as a table for the console and as <c>docs/BENCHMARKS.md</c>, keeping the file's hand-written "What was tried" section.</summary>
public sealed record BenchmarkReport(
    DateTime Started, DateTime Finished, long Rows, string[] CommandLine, IReadOnlyDictionary<string, string> Settings, string Database,
    string LoadBefore, string LoadAfter, IReadOnlyList<Measurement> Results, IReadOnlyList<(string Name, string Value)> Ratios)
{
    public const string TriedHeading = "## What was tried";

    public string Table()
    {
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"| Measure | Rows | Seconds | Rows/s | Cores busy (of {Environment.ProcessorCount}) | Note |");
        text.AppendLine("|---|---:|---:|---:|---:|---|");
        foreach (var result in Results)
            text.AppendLine(CultureInfo.InvariantCulture,
                $"| {result.Name} | {result.Rows:N0} | {result.Elapsed.TotalSeconds:0.00} | {result.RowsPerSecond:N0} | {result.CoresBusy} | {result.Note} |");
        if (Ratios.Count > 0)
        {
            text.AppendLine();
            text.AppendLine("| Ratio | Value |");
            text.AppendLine("|---|---:|");
            foreach (var (name, value) in Ratios)
                text.AppendLine(CultureInfo.InvariantCulture, $"| {name} | {value} |");
        }
        return text.ToString();
    }

    /// <summary>Rewrites docs/BENCHMARKS.md of the repository the harness was built in; returns its path.</summary>
    public string Write()
    {
        var path = Path.Combine(RepositoryRoot.Path, "docs", "BENCHMARKS.md");
        var tried = File.Exists(path) && File.ReadAllText(path) is var old && old.IndexOf(TriedHeading, StringComparison.Ordinal) is var at and >= 0
            ? old[at..]
            : TriedHeading + "\n\n(Nothing recorded yet.)\n";
        var settings = Settings.Count == 0 ? "default settings" : string.Join(", ", Settings.Select(s => $"`{s.Key}={s.Value}`"));
        var text = new StringBuilder();
        text.AppendLine("# Benchmarks");
        text.AppendLine();
        text.AppendLine("Written by the benchmark harness (`tests/BatchScoring.Benchmarks`); the figures below are from its last run, the");
        text.AppendLine("\"What was tried\" section is kept by hand.");
        text.AppendLine();
        text.AppendLine("```");
        text.AppendLine("dotnet run -c Release --project tests/BatchScoring.Benchmarks" + (CommandLine.Length > 0 ? " -- " + string.Join(' ', CommandLine) : ""));
        text.AppendLine("```");
        text.AppendLine();
        text.AppendLine(CultureInfo.InvariantCulture, $"- Date: {Started:yyyy-MM-dd HH:mm} – {Finished:HH:mm} UTC");
        text.AppendLine(CultureInfo.InvariantCulture, $"- Machine: {MachineDescription.Describe()}");
        text.AppendLine(CultureInfo.InvariantCulture, $"- Load average (1 min) before / after: {LoadBefore} / {LoadAfter} (the harness itself keeps both cores busy; a load above the core count before the run means other work shared the machine)");
        text.AppendLine(CultureInfo.InvariantCulture, $"- Database: {Database}; data: {Rows:N0} rows of `SyntheticChurnData`; model: FastTree, {BenchmarkData.Trees} trees, {BenchmarkData.Leaves} leaves");
        text.AppendLine(CultureInfo.InvariantCulture, $"- Pipeline settings: {settings}");
        text.AppendLine();
        text.Append(Table());
        text.AppendLine();
        text.Append(tried);
        File.WriteAllText(path, text.ToString());
        return path;
    }
}
