using System.Collections.Concurrent;
using System.Security.Cryptography;
using BatchScoring.Core.Errors;
using BatchScoring.Models.MlNet;

namespace BatchScoring.Models.Loading;

/// <summary>
/// Loads model files once per process and content: the version of a file is the start of its
/// SHA-256, so a replaced file is loaded anew and recorded under a different version.
/// </summary>
public sealed class ModelFileLoader
{
    private readonly ConcurrentDictionary<string, Lazy<LoadedModel>> _loaded = new(StringComparer.Ordinal);

    public LoadedModel Load(string path)
    {
        var fullPath = System.IO.Path.GetFullPath(path);
        if (!File.Exists(fullPath))
            throw new BatchScoringException($"Model file {fullPath} does not exist.");
        var sha256 = Sha256Of(fullPath);
        var lazy = _loaded.GetOrAdd(sha256 + "|" + fullPath, _ => new Lazy<LoadedModel>(() => new LoadedModel(
            System.IO.Path.GetFileNameWithoutExtension(fullPath), "sha256:" + sha256[..12], fullPath, Open(fullPath))));
        try
        {
            return lazy.Value;
        }
        catch
        {
            _loaded.TryRemove(sha256 + "|" + fullPath, out _);
            throw;
        }
    }

    public static string Sha256Of(string path)
    {
        using var stream = File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }

    private static MlNetScorer Open(string path) => System.IO.Path.GetExtension(path).ToLowerInvariant() switch
    {
        ".zip" => MlNetScorer.Load(path),
        var other => throw new BatchScoringException($"Model {path}: unsupported model format '{other}' (expected an ML.NET .zip)."),
    };
}
