using System.Text;
using BatchScoring.Core.Jobs;

namespace BatchScoring.Core.Tests.Jobs;

/// <summary>Hostile job files are refused with a located error, never a crash (issue 13, findings 7 and 9).</summary>
public sealed class JobFileLimitsTests : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("batchscoring-job-limits-").FullName;

    private JobFileError ErrorOf(byte[] content)
    {
        var path = Path.Combine(folder, "hostile.yaml");
        File.WriteAllBytes(path, content);
        var result = JobSpecLoader.ReadFile(path);
        Assert.Null(result.Job);
        var error = Assert.Single(result.Errors);
        Assert.Equal(path, error.FilePath);
        return error;
    }

    private JobFileError ErrorOf(string yaml) => ErrorOf(Encoding.UTF8.GetBytes(yaml));

    [Fact]
    public void Flow_nesting_ten_thousand_deep_is_refused_at_the_first_level_past_the_limit()
    {
        var error = ErrorOf("name: " + new string('[', 10_000) + new string(']', 10_000) + "\n");
        Assert.Equal((1L, 7L + YamlLimits.MaxDepth - 1), (error.Line, error.Column));
        Assert.Equal($"the YAML is nested more than {YamlLimits.MaxDepth} levels deep", error.Message);
    }

    [Fact]
    public void Block_sequences_ten_thousand_deep_are_refused()
    {
        var error = ErrorOf("name:\n" + string.Concat(Enumerable.Repeat("- ", 10_000)) + "x\n");
        Assert.Equal((2L, 2L * (YamlLimits.MaxDepth - 1) + 1), (error.Line, error.Column));
        Assert.Equal($"the YAML is nested more than {YamlLimits.MaxDepth} levels deep", error.Message);
    }

    [Fact]
    public void Indented_block_mappings_a_thousand_deep_are_refused()
    {
        // 1,000 levels indented one space more each is about as deep as fits in the size limit.
        var yaml = new StringBuilder();
        for (var i = 0; i < 1_000; i++)
            yaml.Append(' ', i).Append("a:\n");
        var error = ErrorOf(yaml.ToString());
        Assert.Equal($"the YAML is nested more than {YamlLimits.MaxDepth} levels deep", error.Message);
        Assert.Equal(YamlLimits.MaxDepth + 1, error.Line);
    }

    [Fact]
    public void A_billion_laughs_alias_bomb_is_refused()
    {
        var yaml = new StringBuilder("a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
        for (var level = 'b'; level <= 'i'; level++)
            yaml.Append($"{level}: &{level} [{string.Join(", ", Enumerable.Repeat($"*{(char)(level - 1)}", 9))}]\n");
        var error = ErrorOf(yaml.ToString());
        Assert.Equal($"the YAML expands to more than {YamlLimits.MaxExpandedNodes} nodes (through aliases of aliases?)", error.Message);
        Assert.InRange(error.Line, 2, 9);
    }

    [Fact]
    public void Aliases_that_stay_small_are_read()
    {
        var result = JobSpecLoader.Read("""
            name: churn
            source: { table: public.customers, key_columns: &keys [customer_id] }
            model: { path: churn.zip }
            output: { table: scored.churn, key_columns: *keys }
            """, "jobs/churn.yaml");
        Assert.Empty(result.Errors);
        Assert.Equal(["customer_id"], result.Job!.Output.KeyColumns);
    }

    [Fact]
    public void A_ten_megabyte_file_is_refused_by_its_size()
    {
        var error = ErrorOf(Encoding.UTF8.GetBytes("name: churn\n# " + new string('x', 10 * 1024 * 1024) + "\n"));
        Assert.Equal((1L, 1L), (error.Line, error.Column));
        Assert.Equal("the file is larger than 1048576 bytes (1 MiB), the limit for a job file", error.Message);
    }

    [Fact]
    public void Non_utf8_bytes_are_reported_at_their_line_and_column()
    {
        var content = Encoding.UTF8.GetBytes("name: churn\nsource:\n  table: caf").Concat(new byte[] { 0xE9, 0x0A }).ToArray();
        var error = ErrorOf(content);
        Assert.Equal((3L, 13L), (error.Line, error.Column));
        Assert.Equal("the file is not UTF-8 text: invalid byte 0xE9", error.Message);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    public void Binary_garbage_gives_one_located_error(int seed)
    {
        var garbage = new byte[64 * 1024];
        new Random(seed).NextBytes(garbage);
        var error = ErrorOf(garbage);
        Assert.True(error.Line >= 1 && error.Column >= 1, error.ToString());
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    public void Ascii_garbage_gives_located_errors(int seed)
    {
        var garbage = new byte[64 * 1024];
        new Random(seed).NextBytes(garbage);
        for (var i = 0; i < garbage.Length; i++)
            garbage[i] &= 0x7F;
        var path = Path.Combine(folder, "garbage.yaml");
        File.WriteAllBytes(path, garbage);
        var result = JobSpecLoader.ReadFile(path);
        Assert.Null(result.Job);
        Assert.All(result.Errors, e => Assert.True(e.Line >= 1 && e.Column >= 1, e.ToString()));
        Assert.NotEmpty(result.Errors);
    }

    [Theory]
    [InlineData("")]
    [InlineData("\n\n   \n")]
    [InlineData("# only a comment\n")]
    public void An_empty_file_is_located_at_its_start(string yaml)
    {
        var error = ErrorOf(yaml);
        Assert.Equal($"{Path.Combine(folder, "hostile.yaml")}:1:1: the file is empty", error.ToString());
    }

    [Fact]
    public void A_tab_in_indentation_is_reported_on_its_own_line()
    {
        var error = ErrorOf("name: churn\nsource:\n\ttable: public.customers\n");
        Assert.Equal((3L, 1L), (error.Line, error.Column));
        Assert.StartsWith("invalid YAML:", error.Message);
    }

    [Fact]
    public void A_tab_after_a_value_is_reported_on_its_own_line()
    {
        var error = ErrorOf("name: churn\nsource:\n  table: public.customers\n  \tkey_columns: [id]\n");
        Assert.Equal((4L, 3L), (error.Line, error.Column));
    }

    public void Dispose() => Directory.Delete(folder, recursive: true);
}
