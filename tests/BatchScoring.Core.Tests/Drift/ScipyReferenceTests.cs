using System.Text.Json;
using BatchScoring.Core.Drift.Statistics;

namespace BatchScoring.Core.Tests.Drift;

/// <summary>
/// The p-values of our tests against SciPy's on the same inputs. The inputs and expected values in
/// reference/scipy_reference.json were produced by reference/make_reference.py with Debian's
/// python3-scipy 1.10.1 (<c>ks_2samp(method='auto')</c>, <c>chi2_contingency(correction=False)</c>,
/// <c>norm.sf</c> for the pooled z-test, cross-checked there against the 2×2 chi-squared test).
/// </summary>
public class ScipyReferenceTests
{
    private const double Tolerance = 1e-6;
    private static readonly JsonElement Reference = JsonDocument.Parse(
        File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Drift", "reference", "scipy_reference.json"))).RootElement;

    public static TheoryData<string> KsCases => Names("ks_2samp");
    public static TheoryData<string> ChiSquaredCases => Names("chi2_contingency");
    public static TheoryData<string> ZCases => Names("two_proportion_z");

    [Theory]
    [MemberData(nameof(KsCases))]
    public void Kolmogorov_Smirnov_matches_scipy_ks_2samp(string name)
    {
        var c = Case("ks_2samp", name);
        var result = KolmogorovSmirnov.TwoSample(Doubles(c, "a"), Doubles(c, "b"));
        Assert.Equal(c.GetProperty("statistic").GetDouble(), result.Statistic, Tolerance);
        AssertPValue(c.GetProperty("p_value").GetDouble(), result.PValue);
        Assert.Equal(c.GetProperty("wasserstein").GetDouble(), Distances.Wasserstein(Doubles(c, "a"), Doubles(c, "b")), 1e-9);
    }

    [Theory]
    [MemberData(nameof(ChiSquaredCases))]
    public void Chi_squared_matches_scipy_chi2_contingency(string name)
    {
        var c = Case("chi2_contingency", name);
        var reference = Longs(c, "reference");
        var current = Longs(c, "current");
        var result = ChiSquaredTest.Homogeneity(reference, current);
        Assert.Equal(c.GetProperty("statistic").GetDouble(), result.Statistic, 1e-9);
        Assert.Equal(c.GetProperty("dof").GetInt32(), result.DegreesOfFreedom);
        AssertPValue(c.GetProperty("p_value").GetDouble(), result.PValue);
        Assert.Equal(c.GetProperty("jensen_shannon").GetDouble(),
            Distances.JensenShannon(Distances.Shares(reference), Distances.Shares(current)), 1e-9);
    }

    [Theory]
    [MemberData(nameof(ZCases))]
    public void Two_proportion_z_test_matches_scipy(string name)
    {
        var c = Case("two_proportion_z", name);
        var result = TwoProportionZTest.Test(c.GetProperty("x1").GetInt64(), c.GetProperty("n1").GetInt64(),
            c.GetProperty("x2").GetInt64(), c.GetProperty("n2").GetInt64());
        Assert.Equal(c.GetProperty("z").GetDouble(), result.Z, 1e-9);
        AssertPValue(c.GetProperty("p_value").GetDouble(), result.PValue);
    }

    /// <summary>Within 1e-6 absolutely, and for tiny p-values also within 1e-6 relatively.</summary>
    private static void AssertPValue(double expected, double actual)
    {
        Assert.Equal(expected, actual, Tolerance);
        if (expected < 1e-3)
            Assert.True(Math.Abs(actual - expected) <= 1e-6 * expected, $"p-value {actual} differs from scipy's {expected} by more than 1e-6 relatively.");
    }

    private static TheoryData<string> Names(string test)
    {
        var data = new TheoryData<string>();
        foreach (var c in Reference.GetProperty(test).EnumerateArray())
            data.Add(c.GetProperty("name").GetString()!);
        return data;
    }

    private static JsonElement Case(string test, string name) =>
        Reference.GetProperty(test).EnumerateArray().Single(c => c.GetProperty("name").GetString() == name);

    private static double[] Doubles(JsonElement c, string property) => c.GetProperty(property).EnumerateArray().Select(e => e.GetDouble()).ToArray();
    private static long[] Longs(JsonElement c, string property) => c.GetProperty(property).EnumerateArray().Select(e => e.GetInt64()).ToArray();
}
