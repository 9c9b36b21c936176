using BatchScoring.Core.Batches;
using BatchScoring.Core.Synthetic;

namespace BatchScoring.Core.Tests.Synthetic;

public class SyntheticDriftTests
{
    private static RowBatch Rows(SyntheticDrift? drift)
        => RowBatch.Concat(SyntheticChurnData.Schema, SyntheticChurnData.Generate(20_000, seed: 5, drift: drift).ToList());

    [Fact]
    public void The_drifted_population_has_higher_charges_and_a_payment_method_the_default_never_has()
    {
        var normal = Rows(null);
        var drifted = Rows(SyntheticDrift.Demo);

        Assert.InRange(drifted.Column<double>("monthly_charges").Values.Average() - normal.Column<double>("monthly_charges").Values.Average(), 24, 26);
        var walletShare = drifted.Column<string>("payment_method").Values.Count(m => m == "digital-wallet") / (double)drifted.Count;
        Assert.InRange(walletShare, 0.28, 0.32);
        Assert.DoesNotContain("digital-wallet", normal.Column<string>("payment_method").Values);
    }
}
