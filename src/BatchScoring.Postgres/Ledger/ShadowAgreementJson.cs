using System.Text.Json;
using BatchScoring.Core.Shadow;

namespace BatchScoring.Postgres.Ledger;

/// <summary>A partition's agreement figures as stored in <c>scoring.partitions.shadow_agreement</c>.</summary>
public static class ShadowAgreementJson
{
    public static string Serialize(ShadowAgreement a) => JsonSerializer.Serialize(new State(
        a.Rows, a.LabelsCompared, a.LabelsAgreeing, a.ScoresCompared, a.SumAbsoluteDifference,
        a.ChampionMean, a.ChallengerMean, a.ChampionM2, a.ChallengerM2, a.CoMoment));

    public static ShadowAgreement Deserialize(string json)
    {
        var s = JsonSerializer.Deserialize<State>(json) ?? throw new InvalidDataException("Empty shadow agreement.");
        return new ShadowAgreement(s.Rows, s.LabelsCompared, s.LabelsAgreeing, s.ScoresCompared, s.SumAbsoluteDifference,
            s.ChampionMean, s.ChallengerMean, s.ChampionM2, s.ChallengerM2, s.CoMoment);
    }

    private sealed record State(long Rows, long LabelsCompared, long LabelsAgreeing, long ScoresCompared, double SumAbsoluteDifference,
        double ChampionMean, double ChallengerMean, double ChampionM2, double ChallengerM2, double CoMoment);
}
