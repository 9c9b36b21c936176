namespace BatchScoring.Core.Drift.Sketches;

/// <summary>The distribution of a numeric column's finite values: moments, counts in frozen bins, and a bottom-k sample.</summary>
public sealed class NumericSketch
{
    public NumericSketch(double[] edges, int sampleSize)
    {
        Edges = edges;
        BinCounts = new long[NumericBins.Count(edges)];
        Sample = new BottomKSample(sampleSize);
    }

    /// <summary>Empty until frozen from a reference; then every sketch compared with it uses the same edges.</summary>
    public double[] Edges { get; }
    public long[] BinCounts { get; }
    public RunningMoments Moments { get; } = new();
    public BottomKSample Sample { get; }

    public void Add(ulong rowHash, double value)
    {
        Moments.Add(value);
        if (Edges.Length > 0)
            BinCounts[NumericBins.IndexOf(Edges, value)]++;
        Sample.Add(rowHash, value);
    }

    public void Merge(NumericSketch other)
    {
        if (!Edges.AsSpan().SequenceEqual(other.Edges))
            throw new InvalidOperationException("Numeric sketches with different bin edges cannot be merged.");
        Moments.Merge(other.Moments);
        for (var i = 0; i < BinCounts.Length; i++)
            BinCounts[i] += other.BinCounts[i];
        Sample.Merge(other.Sample);
    }
}
