using BatchScoring.Core.Drift.Sketches;

namespace BatchScoring.Core.Tests.Drift;

/// <summary>The grid search must give exactly the bins of the binary search (<see cref="NumericBins.IndexOf"/>).</summary>
public class EdgeIndexTests
{
    public static TheoryData<string> Layouts => ["uniform", "heavy tail", "outlier", "one edge", "two edges", "huge range", "discrete", "signed zero"];

    [Theory]
    [MemberData(nameof(Layouts))]
    public void Every_value_gets_the_bin_of_the_binary_search(string layout)
    {
        var random = new Random(layout.Length);
        var edges = Edges(layout, random);
        var index = new EdgeIndex(edges);
        var values = edges.Concat(edges.Select(e => Math.BitDecrement(e))).Concat(edges.Select(e => Math.BitIncrement(e)))
            .Concat(Enumerable.Range(0, 20_000).Select(_ => Draw(layout, random)))
            .Concat([double.MinValue, double.MaxValue, -0.0, 0.0, edges[0] - 1, edges[^1] + 1])
            .Where(double.IsFinite);
        foreach (var value in values)
        {
            Assert.Equal(NumericBins.IndexOf(edges, value, discrete: false), index.CountAtOrBelow(value));
            Assert.Equal(NumericBins.IndexOf(edges, value, discrete: true), index.BinOf(value, discrete: true));
        }
    }

    private static double[] Edges(string layout, Random random) => layout switch
    {
        "one edge" => [3.5],
        "two edges" => [-1, 1],
        "huge range" => [-double.MaxValue, -1, 0, 1e-300, 1, double.MaxValue],
        "discrete" => [0, 1, 2, 3, 5, 8, 13],
        "signed zero" => [-1, 0, 1],
        _ => Enumerable.Range(0, 513).Select(_ => Draw(layout, random)).Distinct().Order().ToArray(),
    };

    private static double Draw(string layout, Random random) => layout switch
    {
        "heavy tail" => Math.Exp(random.NextDouble() * 40) - 1,
        "outlier" => random.NextDouble() < 0.001 ? 1e12 : random.NextDouble(),
        "discrete" => random.Next(-2, 16),
        "signed zero" => random.Next(3) switch { 0 => -0.0, 1 => 0.0, _ => random.NextDouble() * 4 - 2 },
        "huge range" => (random.NextDouble() - 0.5) * double.MaxValue,
        _ => random.NextDouble() * 100 - 50,
    };
}
