using BatchScoring.Core.Batches;

namespace BatchScoring.Core.Scoring;

/// <summary>
/// Scores a batch while keeping bad rows out: rows the model cannot take are set aside before
/// scoring, and when the model still throws, the batch is bisected until the rows that make it
/// throw are found. Every other row is scored.
/// </summary>
public sealed class IsolatingScorer(IScorer scorer)
{
    public IScorer Inner => scorer;

    /// <param name="rejected">Rows already set aside before scoring (see <see cref="ReadGuard"/>); they are neither checked nor scored.</param>
    public ScoringResult Score(RowBatch batch, IReadOnlyList<BadRow>? rejected = null)
    {
        var bad = rejected is null ? [] : new List<BadRow>(rejected);
        var badRows = bad.Select(b => b.Row).ToHashSet();
        foreach (var found in RowGuard.Check(batch, scorer.Inputs))
        {
            if (badRows.Add(found.Row))
                bad.Add(found);
        }
        var candidates = Enumerable.Range(0, batch.Count).Where(r => !badRows.Contains(r)).ToArray();

        var scoredRows = new List<int>(candidates.Length);
        var outputs = new List<RowBatch>();
        ScoreIsolating(batch, candidates, scoredRows, outputs, bad);

        var input = scoredRows.Count == batch.Count ? batch : batch.Take(scoredRows);
        var output = outputs.Count == 1 ? outputs[0] : RowBatch.Concat(scorer.Outputs, outputs);
        return new ScoringResult(new ScoredBatch(input, output), bad.OrderBy(b => b.Row).ToList());
    }

    private void ScoreIsolating(RowBatch batch, int[] rows, List<int> scoredRows, List<RowBatch> outputs, List<BadRow> bad)
    {
        if (rows.Length == 0)
            return;
        try
        {
            var subset = rows.Length == batch.Count ? batch : batch.Take(rows);
            outputs.Add(scorer.Score(subset));
            scoredRows.AddRange(rows);
        }
        catch (Exception e) when (e is not OutOfMemoryException and not OperationCanceledException)
        {
            if (rows.Length == 1)
            {
                bad.Add(new BadRow(rows[0], null, "score", $"the model failed on this row: {e.GetBaseException().Message}"));
                return;
            }
            var half = rows.Length / 2;
            ScoreIsolating(batch, rows.Take(half).ToArray(), scoredRows, outputs, bad);
            ScoreIsolating(batch, rows.Skip(half).ToArray(), scoredRows, outputs, bad);
        }
    }
}

/// <summary>The scored rows (inputs and outputs, row for row) and the rows set aside, by their row in the original batch.</summary>
public sealed record ScoringResult(ScoredBatch Scored, IReadOnlyList<BadRow> BadRows);
