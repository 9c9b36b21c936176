namespace BatchScoring.Core.Drift.Sketches;

/// <summary>
/// The distribution of a numeric column's finite values: moments, counts in frozen bins, counts and sums in
/// fine quantile bins (for KS and Wasserstein on all rows), and a bottom-k sample.
/// </summary>
public sealed class NumericSketch
{
    /// <summary>Values kept while profiling a reference, to place its quantile edges.</summary>
    public const int LayoutSampleSize = 20_000;

    // While profiling a reference (no edges yet): its distinct values, until there are more than a discrete column has.
    private readonly HashSet<double>? _distinct;
    private bool _manyValues;
    private readonly EdgeIndex _bins;
    // A discrete column's quantile edges are its bin edges, so the quantile bin's search gives the bin too.
    private readonly bool _binsAreQuantileEdges;

    /// <param name="discrete">The edges are the reference's distinct values, each its own bin (<see cref="NumericBins"/>).</param>
    /// <param name="quantileEdges">The edges of <see cref="Quantiles"/>: the reference's quantiles, or its values when discrete.</param>
    public NumericSketch(double[] edges, bool discrete, double[] quantileEdges, int sampleSize)
    {
        Edges = edges;
        Quantiles = new QuantileBins(quantileEdges);
        IsDiscrete = discrete;
        _bins = new EdgeIndex(edges);
        _binsAreQuantileEdges = discrete && edges.Length > 0 && edges.AsSpan().SequenceEqual(quantileEdges);
        BinCounts = new long[NumericBins.Count(edges)];
        Sample = new BottomKSample(sampleSize);
        if (edges.Length == 0)
            _distinct = [];
    }

    /// <summary>Empty until frozen from a reference; then every sketch compared with it uses the same edges.</summary>
    public double[] Edges { get; }
    public bool IsDiscrete { get; }
    public long[] BinCounts { get; }
    public QuantileBins Quantiles { get; }
    public RunningMoments Moments { get; } = new();
    public BottomKSample Sample { get; }

    /// <summary>The distinct values seen while unfrozen; null once there were more than <see cref="NumericBins.MaxDiscreteValues"/>.</summary>
    public IReadOnlyCollection<double>? DistinctValues => _distinct is null || _manyValues ? null : _distinct;

    public void Add(ulong rowHash, double value)
    {
        Moments.Add(value);
        if (Edges.Length > 0)
        {
            var atOrBelow = Quantiles.Add(value);
            BinCounts[_binsAreQuantileEdges ? _bins.DiscreteBin(value, atOrBelow) : _bins.BinOf(value, IsDiscrete)]++;
        }
        else
            AddDistinct(value);
        Sample.Add(rowHash, value);
    }

    public void Merge(NumericSketch other)
    {
        if (!Edges.AsSpan().SequenceEqual(other.Edges) || IsDiscrete != other.IsDiscrete || !Quantiles.Edges.AsSpan().SequenceEqual(other.Quantiles.Edges))
            throw new InvalidOperationException("Numeric sketches with different bin edges cannot be merged.");
        Moments.Merge(other.Moments);
        for (var i = 0; i < BinCounts.Length; i++)
            BinCounts[i] += other.BinCounts[i];
        Quantiles.Merge(other.Quantiles);
        if (_distinct is not null)
            RestoreDistinct(other.DistinctValues);
        Sample.Merge(other.Sample);
    }

    /// <summary>Adds the distinct values of another unfrozen sketch; null means it had too many.</summary>
    internal void RestoreDistinct(IEnumerable<double>? values)
    {
        if (values is null)
            _manyValues = true;
        else
            foreach (var value in values)
                AddDistinct(value);
    }

    private void AddDistinct(double value)
    {
        if (_distinct is null || _manyValues)
            return;
        _distinct.Add(value);
        if (_distinct.Count > NumericBins.MaxDiscreteValues)
        {
            _manyValues = true;
            _distinct.Clear();
        }
    }
}
