using BatchScoring.Core.Drift;

namespace BatchScoring.Worker.Reports;

/// <summary>
/// The bins a histogram draws: all of them up to <see cref="MaxBars"/>; beyond that (many categories) the
/// bins with the largest share on either side, in their order, and one bar for the rest, so every bar keeps a
/// readable name. The tables and the JSON keep every bin.
/// </summary>
internal static class HistogramBins
{
    public const int MaxBars = 24;

    public static IReadOnlyList<BinShare> ForDisplay(IReadOnlyList<BinShare> bins)
    {
        if (bins.Count <= MaxBars)
            return bins;
        var kept = bins.Select((b, i) => (Bin: b, Index: i))
            .OrderByDescending(p => Math.Max(p.Bin.Reference, p.Bin.Current))
            .ThenBy(p => p.Index)
            .Take(MaxBars - 1)
            .Select(p => p.Index)
            .ToHashSet();
        var rest = bins.Where((_, i) => !kept.Contains(i)).ToArray();
        return
        [
            .. bins.Where((_, i) => kept.Contains(i)),
            new BinShare($"({rest.Length} more)", rest.Sum(b => b.Reference), rest.Sum(b => b.Current)),
        ];
    }
}
