using System.Collections.Concurrent;
using System.Security.Cryptography;
using BatchScoring.Core.Errors;
using BatchScoring.Core.Models;
using BatchScoring.Core.Scoring;
using BatchScoring.Models.MlNet;
using BatchScoring.Models.Onnx;
using BatchScoring.Models.Trees;

namespace BatchScoring.Models.Loading;

/// <summary>
/// Loads model files once per process and content. Every load reads the file and hashes exactly
/// the bytes it scores with, so a registered file whose SHA-256 changed is refused, and a loaded
/// scorer is shared (by content) across runs, slots and names.
/// </summary>
/// <param name="compileTrees">Score ML.NET tree-ensemble models through <see cref="CompiledTreeModel"/>, and boosted tree ensembles in ONNX
/// through <see cref="CompiledOnnxTrees"/> (same results, less CPU).</param>
public sealed class ModelFileLoader(bool compileTrees = true)
{
    private readonly ConcurrentDictionary<string, Lazy<IScorer>> _scorers = new(StringComparer.Ordinal);

    /// <summary>An unregistered file: its name is the file name, its version the start of its SHA-256.</summary>
    public LoadedModel Load(string path)
    {
        var fullPath = System.IO.Path.GetFullPath(path);
        return Load(new ModelFile(System.IO.Path.GetFileNameWithoutExtension(fullPath), "", fullPath, ModelFormats.FromPath(fullPath)));
    }

    public LoadedModel Load(ModelFile file)
    {
        var fullPath = System.IO.Path.GetFullPath(file.Path);
        if (!File.Exists(fullPath))
            throw new BatchScoringException($"Model {Describe(file)}: file {fullPath} does not exist.");
        var bytes = File.ReadAllBytes(fullPath);
        var sha256 = Convert.ToHexStringLower(SHA256.HashData(bytes));
        if (file.ExpectedSha256 is { } expected && !string.Equals(expected, sha256, StringComparison.OrdinalIgnoreCase))
        {
            throw new ModelIntegrityException(
                $"Model {Describe(file)}: file {fullPath} has SHA-256 {sha256} but was registered with {expected}; " +
                "the file was changed after registration, so it is refused. Register the new file as a new version instead.");
        }

        var key = file.Format.StoredName() + ":" + sha256;
        var lazy = _scorers.GetOrAdd(key, _ => new Lazy<IScorer>(() => Open(bytes, fullPath, file.Format)));
        try
        {
            var version = file.Version.Length > 0 ? file.Version : "sha256:" + sha256[..12];
            return new LoadedModel(file.Name, version, fullPath, lazy.Value);
        }
        catch
        {
            _scorers.TryRemove(key, out _);
            throw;
        }
    }

    private static string Describe(ModelFile file) => file.Version.Length > 0 ? $"{file.Name}@{file.Version}" : file.Name;

    private IScorer Open(byte[] bytes, string path, ModelFormat format) => format switch
    {
        ModelFormat.MlNet => MlNetScorer.Load(new MemoryStream(bytes, writable: false), path, compileTrees),
        ModelFormat.Onnx => OnnxScorer.Load(bytes, path, compileTrees),
        ModelFormat.Xgboost => TreeModelScorer.LoadXgboost(bytes, path),
        ModelFormat.LightGbm => TreeModelScorer.LoadLightGbm(bytes, path),
        _ => throw new ArgumentOutOfRangeException(nameof(format), format, null),
    };
}
