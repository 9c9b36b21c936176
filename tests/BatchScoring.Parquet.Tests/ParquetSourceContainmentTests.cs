using BatchScoring.Core.Errors;
using BatchScoring.Core.Jobs;
using BatchScoring.Core.Paths;
using BatchScoring.Core.Planning;
using BatchScoring.Core.Scoring;
using BatchScoring.Parquet.Sources;

namespace BatchScoring.Parquet.Tests;

/// <summary>A Parquet source reads only inside its roots: relative paths start there, and no path or link leads out (issue 13, finding 6).</summary>
public sealed class ParquetSourceContainmentTests : IDisposable
{
    private readonly TempFolder top = new();
    private string Root => Path.Combine(top.Path, "data");
    private string Outside => Path.Combine(top.Path, "outside");
    private ContainedPaths Paths => new("Sources:ParquetRoot", Root);

    private ParquetSource Source(string path) => new(new ParquetSourceSpec(path, ["id"]), Paths);

    private async Task InitializeAsync()
    {
        await CorruptParquetFiles.WriteGoodAsync(top.File("data/sales/a.parquet"));
        await CorruptParquetFiles.WriteGoodAsync(top.File("outside/secret.parquet"));
    }

    [Fact]
    public async Task A_relative_path_is_read_from_the_root_not_the_working_directory()
    {
        await InitializeAsync();
        var plan = await Source("sales").PlanAsync(null, PartitioningSpec.Default, CancellationToken.None);
        Assert.Equal(["a.parquet"], plan.Select(p => p.Bounds.File));
    }

    [Theory]
    [InlineData("../outside/secret.parquet")]
    [InlineData("../outside")]
    [InlineData("../outside/*.parquet")]
    public async Task A_file_folder_or_glob_outside_the_root_is_refused(string path)
    {
        await InitializeAsync();
        var e = await Assert.ThrowsAsync<BatchScoringException>(() => Source(path).PlanAsync(null, PartitioningSpec.Default, CancellationToken.None));
        Assert.StartsWith($"Parquet source '{path}' is {Outside}", e.Message);
        Assert.EndsWith($", outside Sources:ParquetRoot ({Root}).", e.Message);
    }

    [Fact]
    public async Task A_link_in_a_source_folder_that_leads_out_is_refused_naming_it()
    {
        await InitializeAsync();
        File.CreateSymbolicLink(Path.Combine(Root, "sales", "b.parquet"), Path.Combine(Outside, "secret.parquet"));

        var e = await Assert.ThrowsAsync<BatchScoringException>(() => Source("sales").PlanAsync(null, PartitioningSpec.Default, CancellationToken.None));

        Assert.Equal($"Parquet source 'sales': file b.parquet is {Path.Combine(Root, "sales", "b.parquet")}, a symbolic link to {Path.Combine(Outside, "secret.parquet")}, outside Sources:ParquetRoot ({Root}).", e.Message);
    }

    [Fact]
    public async Task A_partition_whose_recorded_file_leads_out_is_refused()
    {
        await InitializeAsync();
        var source = Source("sales");
        var schema = await source.DescribeAsync(CancellationToken.None);

        var e = await Assert.ThrowsAsync<BatchScoringException>(() => SourceReading.ReadAllAsync(
            source, schema, PartitionBounds.Everything with { File = "../../outside/secret.parquet" }));

        Assert.Contains("outside Sources:ParquetRoot", e.Message);
    }

    public void Dispose() => top.Dispose();
}
