using System.Security.Cryptography;
using System.Text.Json;
using BatchScoring.Core.Errors;
using BatchScoring.Core.Jobs;
using BatchScoring.Core.Models;
using BatchScoring.Postgres.Migrations;
using BatchScoring.Postgres.Registry;
using BatchScoring.Testing;
using Microsoft.Extensions.Logging.Abstractions;

namespace BatchScoring.Postgres.Tests;

public sealed class ModelRegistryTests(PostgresDatabase database) : IClassFixture<PostgresDatabase>, IAsyncLifetime
{
    private readonly string _folder = Directory.CreateTempSubdirectory("batchscoring-registry-").FullName;
    private ModelRegistry Registry => new(database.DataSource, Path.Combine(_folder, "store"));

    public async Task InitializeAsync() => await new MigrationRunner(database.DataSource, NullLogger<MigrationRunner>.Instance).ApplyAsync(CancellationToken.None);

    public Task DisposeAsync()
    {
        Directory.Delete(_folder, recursive: true);
        return Task.CompletedTask;
    }

    private string File(string name, string content)
    {
        var path = Path.Combine(_folder, name);
        System.IO.File.WriteAllText(path, content);
        return path;
    }

    private static ModelReference Ref(string text) => ModelReference.TryParse(text, out var reference, out var error) ? reference : throw new FormatException(error);

    [Fact]
    public async Task Register_copies_the_file_into_the_store_with_its_sha256_and_increasing_versions()
    {
        var source = File("fraud.zip", "model one");
        var first = await Registry.RegisterAsync("fraud", source, ["champion"], """{"auc": 0.91, "rows": 1000}""", CancellationToken.None);
        var second = await Registry.RegisterAsync("fraud", File("fraud-v2.onnx", "model two"), [], null, CancellationToken.None);

        Assert.Equal((1, 2), (first.Version, second.Version));
        Assert.Equal(Path.Combine(_folder, "store", "fraud", "1", "fraud.zip"), first.FilePath);
        Assert.Equal("model one", await System.IO.File.ReadAllTextAsync(first.FilePath));
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(System.IO.File.ReadAllBytes(source))), first.Sha256);
        Assert.Equal((ModelFormat.MlNet, ModelFormat.Onnx), (first.Format, second.Format));
        Assert.Equal(["champion"], first.Aliases);
        Assert.Equal(0.91, JsonDocument.Parse(first.MetricsJson).RootElement.GetProperty("auc").GetDouble());
        Assert.Equal("{}", second.MetricsJson);

        var listed = await Registry.ListAsync("fraud", CancellationToken.None);
        Assert.Equal([1, 2], listed.Select(m => m.Version));
        Assert.Equal((first.ModelId, first.FilePath, first.Sha256, first.MetricsJson), (listed[0].ModelId, listed[0].FilePath, listed[0].Sha256, listed[0].MetricsJson));
        Assert.Equal(first.Aliases, listed[0].Aliases);
    }

    [Fact]
    public async Task Aliases_and_versions_resolve_and_moving_an_alias_changes_what_it_resolves_to()
    {
        await Registry.RegisterAsync("churn", File("a.zip", "a"), ["champion"], null, CancellationToken.None);
        await Registry.RegisterAsync("churn", File("b.zip", "b"), ["challenger"], null, CancellationToken.None);

        Assert.Equal(1, (await Registry.ResolveAsync(Ref("churn@champion"), CancellationToken.None)).Version);
        Assert.Equal(1, (await Registry.ResolveAsync(Ref("churn"), CancellationToken.None)).Version);
        Assert.Equal(2, (await Registry.ResolveAsync(Ref("churn@challenger"), CancellationToken.None)).Version);
        Assert.Equal(2, (await Registry.ResolveAsync(Ref("churn@2"), CancellationToken.None)).Version);

        Assert.Equal(1, await Registry.SetAliasAsync("churn", 2, "champion", CancellationToken.None));
        var moved = await Registry.ResolveAsync(Ref("churn@champion"), CancellationToken.None);
        Assert.Equal(2, moved.Version);
        Assert.Equal(["challenger", "champion"], moved.Aliases);
        Assert.Null(await Registry.SetAliasAsync("churn", 1, "previous", CancellationToken.None));
    }

    [Fact]
    public async Task Unknown_names_versions_and_aliases_are_clear_errors()
    {
        await Registry.RegisterAsync("upsell", File("u.zip", "u"), ["champion"], null, CancellationToken.None);

        Assert.Contains("no model named 'nope'", (await Assert.ThrowsAsync<BatchScoringException>(
            () => Registry.ResolveAsync(Ref("nope@champion"), CancellationToken.None))).Message);
        Assert.Contains("has no version 7; its versions are 1", (await Assert.ThrowsAsync<BatchScoringException>(
            () => Registry.ResolveAsync(Ref("upsell@7"), CancellationToken.None))).Message);
        var alias = await Assert.ThrowsAsync<BatchScoringException>(() => Registry.ResolveAsync(Ref("upsell@challenger"), CancellationToken.None));
        Assert.Contains("no alias 'challenger'", alias.Message);
        Assert.Contains("champion → 1", alias.Message);
        Assert.Contains("has no version 3", (await Assert.ThrowsAsync<BatchScoringException>(
            () => Registry.SetAliasAsync("upsell", 3, "champion", CancellationToken.None))).Message);
    }

    [Fact]
    public async Task Bad_names_aliases_metrics_and_formats_are_refused_before_anything_is_stored()
    {
        var file = File("m.zip", "m");
        Assert.Contains("Invalid model name", (await Assert.ThrowsAsync<BatchScoringException>(
            () => Registry.RegisterAsync("a/b", file, [], null, CancellationToken.None))).Message);
        Assert.Contains("Invalid alias '3rd'", (await Assert.ThrowsAsync<BatchScoringException>(
            () => Registry.RegisterAsync("m", file, ["3rd"], null, CancellationToken.None))).Message);
        Assert.Contains("JSON object", (await Assert.ThrowsAsync<BatchScoringException>(
            () => Registry.RegisterAsync("m", file, [], "[1,2]", CancellationToken.None))).Message);
        Assert.Contains("not valid JSON", (await Assert.ThrowsAsync<BatchScoringException>(
            () => Registry.RegisterAsync("m", file, [], "{auc:", CancellationToken.None))).Message);
        Assert.Contains("'.pkl'", (await Assert.ThrowsAsync<BatchScoringException>(
            () => Registry.RegisterAsync("m", File("m.pkl", "m"), [], null, CancellationToken.None))).Message);
        Assert.Empty(await Registry.ListAsync("m", CancellationToken.None));
        Assert.False(Directory.Exists(Path.Combine(_folder, "store", "m")));
    }

    [Fact]
    public async Task Concurrent_registrations_of_one_name_get_distinct_versions()
    {
        var files = Enumerable.Range(0, 6).Select(i => File($"c{i}.zip", $"content {i}")).ToArray();
        var records = await Task.WhenAll(files.Select(f => Registry.RegisterAsync("concurrent", f, [], null, CancellationToken.None)));
        Assert.Equal([1, 2, 3, 4, 5, 6], records.Select(r => r.Version).Order());
    }
}
