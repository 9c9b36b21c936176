using System.Text.Json;
using BatchScoring.Core.Drift.Statistics;

namespace BatchScoring.Core.Tests.Drift;

/// <summary>Against scipy 1.10's <c>kstwo.sf</c> (reference/make_kstwo_reference.py wrote the JSON).</summary>
public class KolmogorovDistributionTests
{
    [Fact]
    public void Survival_matches_scipy_kstwo_exactly_where_the_same_method_applies_and_to_1e_3_where_pelz_good_stands_in()
    {
        var cases = JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Drift", "reference", "kstwo_reference.json")))
            .RootElement.GetProperty("cases").EnumerateArray().ToArray();
        Assert.NotEmpty(cases);
        foreach (var c in cases)
        {
            long n = c.GetProperty("n").GetInt64();
            double d = c.GetProperty("d").GetDouble(), expected = c.GetProperty("sf").GetDouble();
            var actual = KolmogorovDistribution.Survival(n, d);
            var sameMethod = n * d * d >= 2.2 || n > 100_000 || n * Math.Pow(d, 1.5) > 1.4;
            var tolerance = sameMethod ? 1e-6 * expected + 1e-300 : 1e-3;
            Assert.True(Math.Abs(actual - expected) <= tolerance, $"n={n} d={d}: {actual} vs scipy {expected}");
        }
    }

    [Fact]
    public void Edge_cases_stay_in_the_unit_interval()
    {
        Assert.Equal(1, KolmogorovDistribution.Survival(1, 0));
        Assert.Equal(0, KolmogorovDistribution.Survival(10, 1));
        Assert.Equal(1, KolmogorovDistribution.Survival(1000, 0.0004));
        foreach (var n in new long[] { 1, 2, 7, 141, 3000 })
        {
            foreach (var d in new[] { 0.001, 0.01, 0.1, 0.3, 0.5, 0.9, 0.999 })
                Assert.InRange(KolmogorovDistribution.Survival(n, d), 0, 1);
        }
    }
}
