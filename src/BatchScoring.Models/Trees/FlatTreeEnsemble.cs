namespace BatchScoring.Models.Trees;

/// <summary>
/// The trees of an XGBoost or LightGBM file flattened into one array of nodes (and one of category bit sets and one of
/// leaves), evaluated a block of rows at a time, tree by tree, like <see cref="MlNet.CompiledTreeEnsemble"/>. Every split is
/// "value ≤ threshold goes left": XGBoost's "&lt; t" on float32 values becomes "≤ the float32 just below t". Before use
/// it is checked against <see cref="ParsedTreeWalk"/>, which follows each file's own rule, on probe rows.
/// </summary>
internal sealed class FlatTreeEnsemble
{
    /// <summary>A split; <paramref name="Categories"/> ≥ 0 is the first word of its category bit set (of <paramref name="Words"/> words).</summary>
    private readonly record struct Node(int Feature, double Threshold, int Left, int Right, int Missing, int Categories, int Words, bool ZeroIsMissing, bool InSetLeft);

    private readonly record struct Tree(int FirstNode, int FirstLeaf, int Group, bool IsLeaf);

    private readonly Node[] _nodes;
    private readonly uint[] _bits;
    private readonly double[] _leaves;
    private readonly Tree[] _trees;
    private readonly bool _floatSums;

    private FlatTreeEnsemble(Node[] nodes, uint[] bits, double[] leaves, Tree[] trees, bool floatSums, int featureCount, int groups)
    {
        _nodes = nodes;
        _bits = bits;
        _leaves = leaves;
        _trees = trees;
        _floatSums = floatSums;
        FeatureCount = featureCount;
        Groups = groups;
    }

    public int FeatureCount { get; }
    public int Groups { get; }

    public static FlatTreeEnsemble Compile(ParsedTrees model)
    {
        var nodes = new List<Node>();
        var bits = new List<uint>();
        var leaves = new List<double>();
        var trees = new List<Tree>();
        foreach (var tree in model.Trees)
        {
            trees.Add(new Tree(nodes.Count, leaves.Count, tree.Group, tree.Splits == 0));
            for (var n = 0; n < tree.Splits; n++)
            {
                var threshold = model.StrictSplits ? (double)MathF.BitDecrement((float)tree.Threshold[n]) : tree.Threshold[n];
                var (first, words) = (-1, 0);
                if (tree.Categories[n] is { } categories)
                {
                    var set = BitSet(categories);
                    (first, words) = (bits.Count, set.Length);
                    bits.AddRange(set);
                }
                var missing = tree.MissingLeft[n] ? tree.Left[n] : tree.Right[n];
                nodes.Add(new Node(tree.Feature[n], threshold, tree.Left[n], tree.Right[n], missing, first, words, tree.ZeroIsMissing[n], model.CategoryInSetGoesLeft));
            }
            leaves.AddRange(tree.Leaves);
        }
        return new FlatTreeEnsemble([.. nodes], [.. bits], [.. leaves], [.. trees], model.FloatSums, model.FeatureNames.Count, model.Groups);
    }

    /// <summary>
    /// Adds each row's leaf values to <paramref name="margins"/> (row-major, <see cref="Groups"/> per row, holding the base
    /// margin), reading <paramref name="features"/> (row-major, <see cref="FeatureCount"/> per row, NaN for missing).
    /// </summary>
    public void Evaluate(ReadOnlySpan<double> features, int rows, Span<double> margins)
    {
        var nodes = _nodes.AsSpan();
        var width = FeatureCount;
        foreach (var tree in _trees)
        {
            var treeLeaves = _leaves.AsSpan(tree.FirstLeaf);
            if (tree.IsLeaf)
            {
                for (var row = 0; row < rows; row++)
                    Add(margins, row * Groups + tree.Group, treeLeaves[0]);
                continue;
            }
            var treeNodes = nodes[tree.FirstNode..];
            for (var row = 0; row < rows; row++)
            {
                var values = features.Slice(row * width, width);
                var node = 0;
                while (node >= 0)
                {
                    ref readonly var split = ref treeNodes[node];
                    var x = values[split.Feature];
                    node = double.IsNaN(x) ? split.Missing
                        : split.Categories >= 0 ? (InSet(split, x) == split.InSetLeft ? split.Left : split.Right)
                        : split.ZeroIsMissing && Math.Abs(x) <= ZeroThreshold ? split.Missing
                        : x <= split.Threshold ? split.Left : split.Right;
                }
                Add(margins, row * Groups + tree.Group, treeLeaves[~node]);
            }
        }
    }

    /// <summary>LightGBM's kZeroThreshold: values this close to 0 count as zero.</summary>
    public const double ZeroThreshold = 1e-35f;

    private void Add(Span<double> margins, int index, double leaf)
        => margins[index] = _floatSums ? (float)margins[index] + (float)leaf : margins[index] + leaf;

    private bool InSet(in Node split, double x)
    {
        if (x < 0 || x >= split.Words * 32)
            return false;
        var category = (int)x;
        return (_bits[split.Categories + (category >> 5)] & (1u << (category & 31))) != 0;
    }

    private static uint[] BitSet(int[] categories)
    {
        var words = new uint[categories.Length == 0 ? 1 : categories.Max() / 32 + 1];
        foreach (var c in categories)
            words[c >> 5] |= 1u << (c & 31);
        return words;
    }

    /// <summary>
    /// <paramref name="rows"/> feature rows where a wrong comparison would show: each value at, just below or just above
    /// a threshold of its feature (in float32 and in double), a category of a split, NaN, zero or a tiny number.
    /// </summary>
    public double[] ProbeFeatures(int rows)
    {
        var candidates = Enumerable.Range(0, FeatureCount).Select(_ => new List<double> { 0, double.NaN, 1e-40, -1, 0.5 }).ToArray();
        foreach (var node in _nodes)
        {
            var t = node.Threshold;
            candidates[node.Feature].AddRange([t, Math.BitDecrement(t), Math.BitIncrement(t), MathF.BitIncrement((float)t), MathF.BitDecrement((float)t)]);
            for (var w = 0; w < node.Words; w++)
            {
                for (var b = 0; b < 32; b++)
                {
                    if ((_bits[node.Categories + w] & (1u << b)) != 0)
                        candidates[node.Feature].Add(w * 32 + b);
                }
            }
        }
        var random = new Random(17);
        var features = new double[rows * FeatureCount];
        for (var i = 0; i < features.Length; i++)
        {
            var choices = candidates[i % FeatureCount];
            features[i] = choices[random.Next(choices.Count)];
        }
        return features;
    }
}
