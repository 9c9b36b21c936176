using BatchScoring.Core.Batches;
using BatchScoring.Core.Scoring;
using BatchScoring.Core.Shadow;

namespace BatchScoring.Core.Tests;

public class ShadowAgreementTests
{
    private static (RowBatch Champion, RowBatch Challenger) Outputs(int rows, int seed)
    {
        var random = new Random(seed);
        ColumnSchema[] schema = [PredictionColumns.ScoreColumn, PredictionColumns.ProbabilityColumn, PredictionColumns.BinaryLabelColumn];
        var champion = new RowBatch(schema, rows) { Count = rows };
        var challenger = new RowBatch(schema, rows) { Count = rows };
        for (var i = 0; i < rows; i++)
        {
            var p = (float)random.NextDouble();
            var q = Math.Clamp(p + (float)(random.NextDouble() - 0.5) * 0.3f, 0, 1);
            champion.Column<float>("probability").Set(i, p);
            challenger.Column<float>("probability").Set(i, q);
            champion.Column<float>("score").Set(i, p * 4 - 2);
            challenger.Column<float>("score").Set(i, q * 4 - 2);
            champion.Column<bool>("predicted_label").Set(i, p > 0.5f);
            challenger.Column<bool>("predicted_label").Set(i, q > 0.5f);
        }
        return (champion, challenger);
    }

    [Fact]
    public void Figures_equal_a_direct_computation_on_the_probabilities()
    {
        var (champion, challenger) = Outputs(5_000, seed: 3);
        champion.Column<float>("probability").SetNull(10);
        challenger.Column<float>("probability").Values[11] = float.NaN;
        var agreement = new ShadowAgreement();
        agreement.Add(champion, challenger);

        var pairs = Enumerable.Range(0, champion.Count).Where(i => i is not 10 and not 11)
            .Select(i => ((double)champion.Column<float>("probability").Values[i], (double)challenger.Column<float>("probability").Values[i])).ToArray();
        var meanX = pairs.Average(p => p.Item1);
        var meanY = pairs.Average(p => p.Item2);
        var pearson = pairs.Sum(p => (p.Item1 - meanX) * (p.Item2 - meanY))
            / Math.Sqrt(pairs.Sum(p => Math.Pow(p.Item1 - meanX, 2)) * pairs.Sum(p => Math.Pow(p.Item2 - meanY, 2)));
        var labels = Enumerable.Range(0, champion.Count)
            .Count(i => champion.Column<bool>("predicted_label").Values[i] == challenger.Column<bool>("predicted_label").Values[i]);

        Assert.Equal(5_000, agreement.Rows);
        Assert.Equal(4_998, agreement.ScoresCompared);
        Assert.Equal((double)labels / 5_000, agreement.LabelAgreement!.Value, 12);
        Assert.Equal(pairs.Average(p => Math.Abs(p.Item1 - p.Item2)), agreement.MeanAbsoluteScoreDifference!.Value, 12);
        Assert.Equal(pearson, agreement.ScoreCorrelation!.Value, 10);
        Assert.InRange(agreement.ScoreCorrelation.Value, 0.8, 0.99);
    }

    [Fact]
    public void Merging_partitions_in_any_order_gives_the_figures_of_the_whole()
    {
        var (champion, challenger) = Outputs(3_000, seed: 4);
        var whole = new ShadowAgreement();
        whole.Add(champion, challenger);

        var parts = new List<ShadowAgreement>();
        var rows = 0;
        foreach (var size in new[] { 1, 999, 0, 1_500, 500 })
        {
            var part = new ShadowAgreement();
            part.Add(Slice(champion, rows, size), Slice(challenger, rows, size));
            parts.Add(part);
            rows += size;
        }
        var merged = new ShadowAgreement();
        foreach (var part in Enumerable.Reverse(parts))
            merged.Merge(part);

        Assert.Equal(whole.Rows, merged.Rows);
        Assert.Equal(whole.LabelAgreement, merged.LabelAgreement);
        Assert.Equal(whole.MeanAbsoluteScoreDifference!.Value, merged.MeanAbsoluteScoreDifference!.Value, 12);
        Assert.Equal(whole.ScoreCorrelation!.Value, merged.ScoreCorrelation!.Value, 12);

        var restored = new ShadowAgreement(merged.Rows, merged.LabelsCompared, merged.LabelsAgreeing, merged.ScoresCompared,
            merged.SumAbsoluteDifference, merged.ChampionMean, merged.ChallengerMean, merged.ChampionM2, merged.ChallengerM2, merged.CoMoment);
        Assert.Equal(merged.ScoreCorrelation, restored.ScoreCorrelation);
    }

    [Fact]
    public void Text_labels_are_compared_and_models_without_a_common_score_have_no_score_figures()
    {
        ColumnSchema[] schema = [PredictionColumns.ClassLabelColumn];
        var champion = new RowBatch(schema, 4) { Count = 4 };
        var challenger = new RowBatch(schema, 4) { Count = 4 };
        string[] x = ["a", "b", "c", "a"], y = ["a", "b", "a", "a"];
        for (var i = 0; i < 4; i++)
        {
            champion.Column<string>("predicted_label").Set(i, x[i]);
            challenger.Column<string>("predicted_label").Set(i, y[i]);
        }
        var agreement = new ShadowAgreement();
        agreement.Add(champion, challenger);
        Assert.Equal(0.75, agreement.LabelAgreement);
        Assert.Null(agreement.MeanAbsoluteScoreDifference);
        Assert.Null(agreement.ScoreCorrelation);
    }

    private static RowBatch Slice(RowBatch batch, int start, int count)
    {
        var slice = new RowBatch(batch.Schema, Math.Max(count, 1)) { Count = count };
        foreach (var column in slice.Columns)
            batch[column.Name].CopyTo(start, column, 0, count);
        return slice;
    }
}
