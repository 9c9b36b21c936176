namespace BatchScoring.Core.Drift.Statistics;

/// <summary>The Benjamini–Hochberg step-up procedure controlling the false discovery rate at q.</summary>
public static class BenjaminiHochberg
{
    /// <summary>For each p-value, whether it is rejected: all p(i) with i ≤ the largest k such that p(k) ≤ k·q/m.</summary>
    public static bool[] Reject(IReadOnlyList<double> pValues, double q)
    {
        var m = pValues.Count;
        var order = Enumerable.Range(0, m).OrderBy(i => pValues[i]).ToArray();
        var cutoff = -1;
        for (var rank = m; rank >= 1; rank--)
        {
            if (pValues[order[rank - 1]] <= rank * q / m)
            {
                cutoff = rank;
                break;
            }
        }
        var rejected = new bool[m];
        for (var rank = 1; rank <= cutoff; rank++)
            rejected[order[rank - 1]] = true;
        return rejected;
    }
}
