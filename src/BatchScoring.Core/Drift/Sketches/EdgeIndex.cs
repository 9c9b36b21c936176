namespace BatchScoring.Core.Drift.Sketches;

/// <summary>
/// The number of sorted, distinct edges at or below a value — the bin of a half-open bin layout — in a few
/// steps instead of a binary search over every edge. A uniform grid over the edges' range gives, per cell, the
/// edges the cell can lie between; the answer is found among those (usually zero to three) and is always the
/// exact count: when rounding puts a value in a neighbouring cell, the bounds of the cell do not hold and the
/// full binary search answers. Building it takes one pass over the
/// edges and the cells.
/// </summary>
public sealed class EdgeIndex
{
    private const int CellsPerEdge = 4;
    private const int LinearScanLimit = 8;

    private readonly double[] _edges;
    // _first[c]: the edges at or below the start of cell c; _first[^1] is every edge.
    private readonly int[] _first;
    private readonly double _low;
    private readonly double _scale;

    public EdgeIndex(double[] edges)
    {
        _edges = edges;
        var cells = edges.Length * CellsPerEdge;
        var range = edges.Length < 2 ? 0 : edges[^1] - edges[0];
        _scale = range > 0 ? cells / range : 0;
        if (!double.IsFinite(_scale) || _scale <= 0)
        {
            // One edge, or a range too wide to divide: the grid has a single cell and the search answers.
            _first = [0, edges.Length];
            _scale = 0;
            return;
        }
        _low = edges[0];
        _first = new int[cells + 1];
        var below = 0;
        for (var cell = 0; cell < cells; cell++)
        {
            var start = _low + cell / _scale;
            while (below < edges.Length && edges[below] <= start)
                below++;
            _first[cell] = below;
        }
        _first[cells] = edges.Length;
    }

    public double[] Edges => _edges;

    /// <summary>The number of edges at or below <paramref name="value"/> (a finite number).</summary>
    public int CountAtOrBelow(double value)
    {
        var cell = _scale == 0 ? 0 : (int)Math.Clamp((value - _low) * _scale, 0, _first.Length - 2);
        int from = _first[cell], to = _first[cell + 1];
        if ((from > 0 && _edges[from - 1] > value) || (to < _edges.Length && _edges[to] <= value))
            return NumericBins.IndexOf(_edges, value, discrete: false);
        if (to - from > LinearScanLimit)
        {
            var found = Array.BinarySearch(_edges, from, to - from, value);
            return found >= 0 ? found + 1 : ~found;
        }
        while (from < to && _edges[from] <= value)
            from++;
        return from;
    }

    /// <summary>The bin of <see cref="NumericBins"/>: continuous, the count at or below; discrete, the equal edge or the "other" bin.</summary>
    public int BinOf(double value, bool discrete) => discrete ? DiscreteBin(value, CountAtOrBelow(value)) : CountAtOrBelow(value);

    /// <summary>The discrete bin of a value whose count at or below is <paramref name="atOrBelow"/>.</summary>
    public int DiscreteBin(double value, int atOrBelow) => atOrBelow > 0 && _edges[atOrBelow - 1] == value ? atOrBelow - 1 : _edges.Length;
}
