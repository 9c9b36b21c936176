using BatchScoring.Core.Errors;
using BatchScoring.Core.Models;
using BatchScoring.Models.Loading;

namespace BatchScoring.Models.Tests;

public class ModelFileLoaderTests(TrainedModels models) : IClassFixture<TrainedModels>
{
    [Fact]
    public void A_file_whose_sha256_changed_since_registration_is_refused_naming_model_file_and_hashes()
    {
        var copy = Path.Combine(models.Folder, "tampered.zip");
        File.Copy(models.Binary, copy, overwrite: true);
        var registered = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(copy)));
        var loader = new ModelFileLoader();
        Assert.Same(loader.Load(new ModelFile("churn", "1", copy, ModelFormat.MlNet, registered)).Scorer,
            loader.Load(new ModelFile("churn", "1", copy, ModelFormat.MlNet, registered)).Scorer);

        using (var file = File.OpenWrite(copy))
        {
            file.Seek(-1, SeekOrigin.End);
            file.WriteByte(0x5A);
        }

        var error = Assert.Throws<ModelIntegrityException>(() => loader.Load(new ModelFile("churn", "1", copy, ModelFormat.MlNet, registered)));
        Assert.Contains("churn@1", error.Message);
        Assert.Contains(copy, error.Message);
        Assert.Contains(registered, error.Message);
        Assert.Contains("changed after registration", error.Message);
    }

    [Fact]
    public void Scorers_are_shared_by_content_and_a_replaced_file_is_loaded_anew()
    {
        var loader = new ModelFileLoader();
        var path = Path.Combine(models.Folder, "replaced.zip");
        File.Copy(models.Binary, path, overwrite: true);
        var first = loader.Load(path);
        Assert.Same(first.Scorer, loader.Load(models.Binary).Scorer);
        Assert.StartsWith("sha256:", first.Version);

        File.Copy(models.Regression, path, overwrite: true);
        var second = loader.Load(path);
        Assert.NotSame(first.Scorer, second.Scorer);
        Assert.NotEqual(first.Version, second.Version);
    }

    [Fact]
    public void An_unknown_extension_is_refused()
    {
        var error = Assert.Throws<BatchScoringException>(() => new ModelFileLoader().Load(Path.Combine(models.Folder, "model.pkl")));
        Assert.Contains("'.pkl'", error.Message);
    }
}
