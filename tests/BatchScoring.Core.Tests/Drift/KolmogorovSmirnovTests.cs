using BatchScoring.Core.Drift.Statistics;

namespace BatchScoring.Core.Tests.Drift;

public class KolmogorovSmirnovTests
{
    [Fact]
    public void A_probability_rounded_past_one_is_clipped_to_one_as_scipy_does()
    {
        var small = KolmogorovSmirnov.TwoSample([1, 2, 3, 4, 5], [1, 2, 3, 4, 6]);
        Assert.Equal(0.2, small.Statistic, 12);
        Assert.Equal(1.0, small.PValue);

        var first = Enumerable.Range(0, 2000).Select(i => (double)i).ToArray();
        var second = first[..^1].Append(2000.5).ToArray();
        var large = KolmogorovSmirnov.TwoSample(first, second);
        Assert.Equal(1 / 2000.0, large.Statistic, 12);
        Assert.Equal(1.0, large.PValue);
    }

    [Fact]
    public void Random_sizes_ties_and_constant_samples_give_probabilities_in_the_unit_interval()
    {
        var random = new Random(16);
        for (var test = 0; test < 300; test++)
        {
            var levels = random.Next(1, 6);
            double[] Sample() => Enumerable.Range(0, random.Next(1, 400)).Select(_ => (double)random.Next(levels)).ToArray();
            var result = KolmogorovSmirnov.TwoSample(Sample(), Sample());
            Assert.InRange(result.Statistic, 0, 1);
            Assert.InRange(result.PValue, 0, 1);
        }
    }
}
