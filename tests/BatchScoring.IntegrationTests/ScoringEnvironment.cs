using BatchScoring.Core.Batches;
using BatchScoring.Core.Synthetic;
using BatchScoring.Models.Training;
using BatchScoring.Postgres.Copy;
using BatchScoring.Testing;
using BatchScoring.Worker.Hosting;
using Dapper;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;

namespace BatchScoring.IntegrationTests;

/// <summary>
/// A database with a synthetic customer table, a churn model trained on other rows, and a
/// folder for job files and models: what a user has before their first run.
/// </summary>
public class ScoringEnvironment : PostgresDatabase
{
    public const int SourceRows = 12_345;
    public const string SourceTable = "public.customers";

    public string Folder { get; } = Path.Combine(Path.GetTempPath(), "batchscoring-it-" + Guid.NewGuid().ToString("N")[..12]);
    public string ModelFile => Path.Combine(Folder, "churn.zip");

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        Directory.CreateDirectory(Folder);
        await using var connection = await DataSource.OpenConnectionAsync();
        await connection.ExecuteAsync($"CREATE TABLE {SourceTable} ({SyntheticChurnData.TableDefinition})");
        await BinaryCopyWriter.CopyAsync(connection, SourceTable, SyntheticChurnData.Generate(SourceRows, seed: 21).ToAsyncEnumerable(), CancellationToken.None);

        var training = RowBatch.Concat(SyntheticChurnData.Schema, SyntheticChurnData.Generate(6_000, seed: 22, firstKey: 900_000).ToList());
        BinaryModelTrainer.TrainAndSave(training, new BinaryModelTrainer.Options(
            SyntheticChurnData.NumericFeatures, SyntheticChurnData.CategoricalFeatures, SyntheticChurnData.LabelColumn, Trees: 20, Leaves: 8), ModelFile);
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        Directory.Delete(Folder, recursive: true);
    }

    /// <summary>Writes <c>jobs/&lt;name&gt;.yaml</c> into the environment's folder.</summary>
    public void WriteJob(string name, string yaml) => File.WriteAllText(Path.Combine(Folder, name + ".yaml"), yaml);

    public IConfigurationRoot Configuration(params (string Key, string Value)[] overrides)
    {
        var settings = new Dictionary<string, string?>
        {
            ["ConnectionStrings:BatchScoring"] = ConnectionString,
            ["Jobs:Directory"] = Folder,
            ["Models:Directory"] = Folder,
            ["Sources:ParquetRoot"] = Folder,
            ["Worker:BatchSize"] = "1000",
        };
        foreach (var (key, value) in overrides)
            settings[key] = value;
        return new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
    }

    public Task<IHost> HostAsync(params (string Key, string Value)[] overrides)
        => ServiceHost.BuildAsync(Configuration(overrides), CancellationToken.None);
}
