using BatchScoring.Core.Drift.Sketches;
using BatchScoring.Testing;

namespace BatchScoring.Core.Tests.Drift;

/// <summary>Stored sketches this build cannot read fail with a FormatException that says what is wrong, never another exception.</summary>
public class DatasetSketchFormatTests
{
    [Theory]
    [InlineData("""{"version": 2, "sample_size": 2000, "top_k": 50, "category_capacity": 1000, "frozen": true, "features": []}""", "format version 2, from another release; this build reads version 3")]
    [InlineData("""{"sample_size": 2000, "features": []}""", "has no format version")]
    [InlineData("""{"version": 3, "sample_size": 2000, "top_k": 50, "category_capacity": 1000, "frozen": true, "sample_salt": 1}""", "not valid JSON of the expected shape")]
    [InlineData("""{"version": 3, "sample_size": 2000, "top_k": 50, "category_capacity": 1000, "frozen": true, "sample_salt": 1, "features": null}""", "not valid JSON of the expected shape")]
    [InlineData("""{"version": 3, "sample_size": 0, "top_k": 50, "category_capacity": 1000, "frozen": true, "sample_salt": 1, "features": []}""", "inconsistent")]
    [InlineData("""[1, 2, 3]""", "not valid JSON of the expected shape")]
    [InlineData("""not json""", "not valid JSON of the expected shape")]
    public void An_unreadable_sketch_is_a_format_error_naming_what_is_wrong(string json, string expected)
    {
        var e = Assert.Throws<FormatException>(() => DatasetSketch.FromJson(json));
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void A_feature_with_missing_arrays_is_a_shape_error()
    {
        var json = DriftTestData.Reference(200, seed: 1).ToJson().Replace("\"bin_counts\"", "\"renamed\"", StringComparison.Ordinal);
        var e = Assert.Throws<FormatException>(() => DatasetSketch.FromJson(json));
        Assert.Contains("bin_counts", e.Message);
    }
}
