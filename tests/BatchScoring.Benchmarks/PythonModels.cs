using System.Diagnostics;
using System.Globalization;
using System.Text;
using BatchScoring.Core.Batches;
using BatchScoring.Core.Synthetic;
using BatchScoring.Testing;

namespace BatchScoring.Benchmarks;

/// <summary>
/// The benchmark's churn model as a Python team would bring it: an XGBoost binary:logistic model of the FastTree model's
/// size (100 trees, at most 31 leaves) trained by Debian's python3-xgboost on the FastTree model's training rows (its
/// numeric features), saved as XGBoost JSON and as ONNX (onnxmltools' layout), cached in the temp folder.
/// </summary>
public static class PythonModels
{
    /// <summary>The job's <c>model.inputs</c>: the numeric features, in the model's feature order.</summary>
    public static string ModelKeys => "  inputs: [" + string.Join(", ", SyntheticChurnData.NumericFeatures) + "]";

    public static (string Json, string Onnx) Ensure()
    {
        var folder = Path.Combine(Path.GetTempPath(), "batchscoring-bench-models", $"xgb-{BenchmarkData.Trees}t-{BenchmarkData.Leaves}l-50k");
        var json = Path.Combine(folder, "xgb_bench.json");
        var onnx = Path.Combine(folder, "xgb_bench.onnx");
        if (File.Exists(json) && File.Exists(onnx))
            return (json, onnx);
        Directory.CreateDirectory(folder);
        var csv = Path.Combine(folder, "training.csv");
        WriteTraining(csv);
        Console.WriteLine($"Training the XGBoost model ({BenchmarkData.Trees} trees, ≤ {BenchmarkData.Leaves} leaves) into {folder}");
        var start = new ProcessStartInfo("/usr/bin/python3") { RedirectStandardError = true };
        start.ArgumentList.Add(Path.Combine(ScriptsFolder(), "make_bench_model.py"));
        start.ArgumentList.Add(csv);
        start.ArgumentList.Add(folder);
        using var process = Process.Start(start)!;
        var errors = process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"make_bench_model.py failed (needs python3-xgboost, python3-onnx, python3-pandas): {errors}");
        return (json, onnx);
    }

    private static void WriteTraining(string path)
    {
        var training = RowBatch.Concat(SyntheticChurnData.Schema, SyntheticChurnData.Generate(50_000, seed: 7, firstKey: 100_000_000).ToList());
        var columns = SyntheticChurnData.NumericFeatures.Select(f => training[f]).Append(training[SyntheticChurnData.LabelColumn]).ToArray();
        var text = new StringBuilder(string.Join(",", columns.Select(c => c.Name))).Append('\n');
        for (var row = 0; row < training.Count; row++)
        {
            text.AppendJoin(',', columns.Select(c => c.Nulls[row] ? "" : c switch
            {
                BatchColumn<bool> b => b.Values[row] ? "1" : "0",
                _ => Convert.ToString(c.GetBoxed(row), CultureInfo.InvariantCulture),
            }));
            text.Append('\n');
        }
        File.WriteAllText(path, text.ToString());
    }

    private static string ScriptsFolder() => Path.Combine(RepositoryRoot.Path, "tests", "fixtures", "python");
}
