using BatchScoring.Core.Batches;
using BatchScoring.Core.Scoring;

namespace BatchScoring.Core.Shadow;

/// <summary>
/// How closely a challenger model agrees with the champion on the same rows: the share of equal
/// predicted labels, the mean absolute difference of the scores, and the Pearson correlation of
/// the scores. Mergeable: the figures of a run are those of its partitions merged in any order,
/// because it keeps counts, sums and co-moments (Chan et al.'s parallel update) rather than results.
/// The compared score is <c>probability</c> when both models produce it, else <c>score</c>;
/// rows where either value is missing or not a number are not compared.
/// </summary>
public sealed class ShadowAgreement
{
    public ShadowAgreement()
    {
    }

    /// <summary>Restores a saved state, e.g. one partition's figures read back from the ledger.</summary>
    public ShadowAgreement(long rows, long labelsCompared, long labelsAgreeing, long scoresCompared,
        double sumAbsoluteDifference, double championMean, double challengerMean, double championM2, double challengerM2, double coMoment)
    {
        Rows = rows;
        LabelsCompared = labelsCompared;
        LabelsAgreeing = labelsAgreeing;
        ScoresCompared = scoresCompared;
        SumAbsoluteDifference = sumAbsoluteDifference;
        ChampionMean = championMean;
        ChallengerMean = challengerMean;
        ChampionM2 = championM2;
        ChallengerM2 = challengerM2;
        CoMoment = coMoment;
    }

    /// <summary>Rows scored by both models.</summary>
    public long Rows { get; private set; }
    public long LabelsCompared { get; private set; }
    public long LabelsAgreeing { get; private set; }
    public long ScoresCompared { get; private set; }
    public double SumAbsoluteDifference { get; private set; }
    public double ChampionMean { get; private set; }
    public double ChallengerMean { get; private set; }
    /// <summary>Sum of squared deviations of the champion's scores from their mean.</summary>
    public double ChampionM2 { get; private set; }
    public double ChallengerM2 { get; private set; }
    /// <summary>Sum of the products of both models' deviations from their means.</summary>
    public double CoMoment { get; private set; }

    /// <summary>Share of compared rows whose predicted labels are equal; null without labels on both sides.</summary>
    public double? LabelAgreement => LabelsCompared == 0 ? null : (double)LabelsAgreeing / LabelsCompared;

    public double? MeanAbsoluteScoreDifference => ScoresCompared == 0 ? null : SumAbsoluteDifference / ScoresCompared;

    /// <summary>Pearson correlation of the scores; null when fewer than two rows or a model's scores are constant.</summary>
    public double? ScoreCorrelation => ScoresCompared < 2 || ChampionM2 <= 0 || ChallengerM2 <= 0
        ? null
        : CoMoment / Math.Sqrt(ChampionM2 * ChallengerM2);

    /// <summary>Adds one batch: the champion's and the challenger's outputs for the same rows.</summary>
    public void Add(RowBatch champion, RowBatch challenger)
    {
        if (champion.Count != challenger.Count)
            throw new ArgumentException($"The champion scored {champion.Count} rows but the challenger {challenger.Count}.", nameof(challenger));
        Rows += champion.Count;
        AddLabels(champion, challenger);
        var scoreName = Both(champion, challenger, PredictionColumns.Probability) ? PredictionColumns.Probability
            : Both(champion, challenger, PredictionColumns.Score) ? PredictionColumns.Score
            : null;
        if (scoreName is not null && champion[scoreName] is BatchColumn<float> x && challenger[scoreName] is BatchColumn<float> y)
        {
            for (var i = 0; i < champion.Count; i++)
            {
                if (!x.Nulls[i] && !y.Nulls[i] && float.IsFinite(x.Values[i]) && float.IsFinite(y.Values[i]))
                    AddScores(x.Values[i], y.Values[i]);
            }
        }
    }

    /// <summary>Welford's update for one pair of scores.</summary>
    public void AddScores(double champion, double challenger)
    {
        ScoresCompared++;
        SumAbsoluteDifference += Math.Abs(champion - challenger);
        var dx = champion - ChampionMean;
        ChampionMean += dx / ScoresCompared;
        var dy = challenger - ChallengerMean;
        ChallengerMean += dy / ScoresCompared;
        ChampionM2 += dx * (champion - ChampionMean);
        ChallengerM2 += dy * (challenger - ChallengerMean);
        CoMoment += dx * (challenger - ChallengerMean);
    }

    public void Merge(ShadowAgreement other)
    {
        Rows += other.Rows;
        LabelsCompared += other.LabelsCompared;
        LabelsAgreeing += other.LabelsAgreeing;
        if (other.ScoresCompared == 0)
            return;
        var n = ScoresCompared + other.ScoresCompared;
        var dx = other.ChampionMean - ChampionMean;
        var dy = other.ChallengerMean - ChallengerMean;
        var weight = (double)ScoresCompared * other.ScoresCompared / n;
        ChampionM2 += other.ChampionM2 + dx * dx * weight;
        ChallengerM2 += other.ChallengerM2 + dy * dy * weight;
        CoMoment += other.CoMoment + dx * dy * weight;
        ChampionMean += dx * other.ScoresCompared / n;
        ChallengerMean += dy * other.ScoresCompared / n;
        SumAbsoluteDifference += other.SumAbsoluteDifference;
        ScoresCompared = n;
    }

    private void AddLabels(RowBatch champion, RowBatch challenger)
    {
        if (!Both(champion, challenger, PredictionColumns.PredictedLabel))
            return;
        switch (champion[PredictionColumns.PredictedLabel], challenger[PredictionColumns.PredictedLabel])
        {
            case (BatchColumn<bool> x, BatchColumn<bool> y):
                CountLabels(x, y, champion.Count, static (a, b) => a == b);
                break;
            case (BatchColumn<string> x, BatchColumn<string> y):
                CountLabels(x, y, champion.Count, static (a, b) => string.Equals(a, b, StringComparison.Ordinal));
                break;
        }
    }

    private void CountLabels<T>(BatchColumn<T> x, BatchColumn<T> y, int count, Func<T, T, bool> equal)
    {
        for (var i = 0; i < count; i++)
        {
            if (x.Nulls[i] || y.Nulls[i])
                continue;
            LabelsCompared++;
            if (equal(x.Values[i], y.Values[i]))
                LabelsAgreeing++;
        }
    }

    private static bool Both(RowBatch champion, RowBatch challenger, string column)
        => champion.TryGetColumn(column, out _) && challenger.TryGetColumn(column, out _);
}
