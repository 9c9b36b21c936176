using BatchScoring.Core.Errors;
using BatchScoring.Core.Jobs;
using BatchScoring.Core.Planning;

namespace BatchScoring.Parquet.Tests;

/// <summary>A corrupt file fails its own partition with an error naming it; the others in its folder read (issue 13, finding 8).</summary>
public class CorruptParquetFileTests
{
    [Theory]
    [InlineData("truncated-footer", "is truncated or damaged: it does not end with the magic bytes PAR1")]
    [InlineData("bad-footer-length", "has a damaged footer: ")]
    [InlineData("bad-magic", "(it does not start with the magic bytes PAR1)")]
    [InlineData("flipped-page-header", ", row group 0, column 'id': ")]
    [InlineData("bad-dictionary-header", ", row group 0, column 'plan': ")]
    public async Task A_damaged_file_fails_its_partition_naming_the_file_and_the_good_ones_read(string damage, string expected)
    {
        using var folder = new TempFolder();
        await CorruptParquetFiles.WriteGoodAsync(folder.File("a.parquet"));
        var broken = folder.File("b.parquet");
        await CorruptParquetFiles.WriteDamagedAsync(broken, damage);
        await CorruptParquetFiles.WriteGoodAsync(folder.File("c.parquet"));

        var source = SourceReading.Source(folder.Path);
        var schema = await source.DescribeAsync(CancellationToken.None);
        var plan = await source.PlanAsync(null, PartitioningSpec.Default, CancellationToken.None);
        Assert.Equal(["a.parquet", "b.parquet", "c.parquet"], plan.Select(p => p.Bounds.File));

        foreach (var partition in plan.Where(p => p.Bounds.File != "b.parquet"))
            Assert.Equal(CorruptParquetFiles.Rows, (await SourceReading.ReadAllAsync(source, schema, partition.Bounds)).Count);
        var error = await Assert.ThrowsAsync<BatchScoringException>(
            () => SourceReading.ReadAllAsync(source, schema, plan.Single(p => p.Bounds.File == "b.parquet").Bounds));
        Assert.Contains(broken, error.Message);
        Assert.Contains(expected, error.Message);
        Assert.DoesNotContain('\n', error.Message);
    }

    [Fact]
    public async Task A_file_that_is_not_Parquet_is_named_without_echoing_its_content()
    {
        using var folder = new TempFolder();
        var path = folder.File("passwd.parquet");
        File.WriteAllText(path, "root:x:0:0:root:/root:/bin/bash\ndaemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\n");

        var error = await Assert.ThrowsAsync<BatchScoringException>(() => SourceReading.Source(path).DescribeAsync(CancellationToken.None));

        Assert.Equal($"not a Parquet file: {path} (it does not start with the magic bytes PAR1)", error.Message);
    }
}
