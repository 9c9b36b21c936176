using BatchScoring.Core.Errors;
using BatchScoring.Core.Paths;

namespace BatchScoring.Core.Tests.Paths;

/// <summary>Paths from job files stay inside their folder, links followed (issue 13, finding 6).</summary>
public sealed class ContainedPathsTests : IDisposable
{
    private readonly string top = Directory.CreateTempSubdirectory("batchscoring-contained-").FullName;
    private string Root => Path.Combine(top, "models");
    private string Elsewhere => Path.Combine(top, "elsewhere");

    public ContainedPathsTests()
    {
        Directory.CreateDirectory(Root);
        Directory.CreateDirectory(Elsewhere);
        File.WriteAllText(Path.Combine(Root, "inside.zip"), "x");
        File.WriteAllText(Path.Combine(Elsewhere, "outside.zip"), "x");
    }

    private ContainedPaths Models => new("Models:Directory", Root);

    [Fact]
    public void A_relative_path_resolves_under_the_root()
        => Assert.Equal(Path.Combine(Root, "inside.zip"), Models.Resolve("inside.zip", "model path 'inside.zip'"));

    [Theory]
    [InlineData("../elsewhere/outside.zip")]
    [InlineData("sub/../../elsewhere/outside.zip")]
    public void Dot_dot_out_of_the_root_is_refused(string path)
    {
        var e = Assert.Throws<BatchScoringException>(() => Models.Resolve(path, $"model path '{path}' of jobs/churn.yaml"));
        Assert.Equal($"model path '{path}' of jobs/churn.yaml is {Path.Combine(Elsewhere, "outside.zip")}, outside Models:Directory ({Root}).", e.Message);
    }

    [Fact]
    public void An_absolute_path_outside_is_refused_and_one_inside_is_accepted()
    {
        Assert.Throws<BatchScoringException>(() => Models.Resolve("/etc/passwd", "model path '/etc/passwd'"));
        Assert.Throws<BatchScoringException>(() => Models.Resolve(Root + "-sibling/x.zip", "model path"));
        Assert.Equal(Path.Combine(Root, "inside.zip"), Models.Resolve(Path.Combine(Root, "inside.zip"), "model path"));
    }

    [Fact]
    public void A_file_link_escaping_the_root_is_refused()
    {
        File.CreateSymbolicLink(Path.Combine(Root, "link.zip"), Path.Combine(Elsewhere, "outside.zip"));
        var e = Assert.Throws<BatchScoringException>(() => Models.Resolve("link.zip", "model path 'link.zip'"));
        Assert.Equal($"model path 'link.zip' is {Path.Combine(Root, "link.zip")}, a symbolic link to {Path.Combine(Elsewhere, "outside.zip")}, outside Models:Directory ({Root}).", e.Message);
    }

    [Fact]
    public void A_folder_link_escaping_the_root_is_refused()
    {
        Directory.CreateSymbolicLink(Path.Combine(Root, "shared"), Elsewhere);
        var e = Assert.Throws<BatchScoringException>(() => Models.Resolve("shared/outside.zip", "model path"));
        Assert.Contains($"a symbolic link to {Path.Combine(Elsewhere, "outside.zip")}", e.Message);
    }

    [Fact]
    public void Links_that_stay_inside_are_accepted_and_link_loops_are_refused()
    {
        File.CreateSymbolicLink(Path.Combine(Root, "alias.zip"), "inside.zip");
        Assert.Equal(Path.Combine(Root, "alias.zip"), Models.Resolve("alias.zip", "model path"));

        File.CreateSymbolicLink(Path.Combine(Root, "a"), Path.Combine(Root, "b"));
        File.CreateSymbolicLink(Path.Combine(Root, "b"), Path.Combine(Root, "a"));
        var e = Assert.Throws<BatchScoringException>(() => Models.Resolve("a", "model path 'a'"));
        Assert.StartsWith("model path 'a': too many levels of symbolic links", e.Message);
    }

    [Fact]
    public void Further_roots_allow_more_and_the_file_system_root_allows_everything()
    {
        var both = new ContainedPaths("Sources:ParquetRoot", [Root, Elsewhere]);
        Assert.Equal(Path.Combine(Elsewhere, "outside.zip"), both.Resolve("../elsewhere/outside.zip", "source"));
        Assert.Equal("/etc/passwd", new ContainedPaths("Sources:ParquetRoot", "/").Resolve("/etc/passwd", "source"));
    }

    public void Dispose() => Directory.Delete(top, recursive: true);
}
