using Microsoft.ML.Trainers.FastTree;

namespace BatchScoring.Models.MlNet;

/// <summary>
/// A trained tree ensemble (FastTree, FastForest, LightGBM) flattened into one array of nodes and one of
/// leaf values, evaluated a block of rows at a time, tree by tree, so that a tree's nodes stay in cache
/// while every row of the block walks it. It computes exactly what ML.NET computes — per row, the sum in
/// double of each tree's leaf value in tree order, as float. <see cref="TryCompile"/> refuses ensembles
/// with categorical splits; <see cref="CompiledTreeModel"/> checks every compiled model against ML.NET on
/// <see cref="ProbeFeatures"/> before using it.
/// </summary>
internal sealed class CompiledTreeEnsemble
{
    private readonly Node[] _nodes;
    private readonly double[] _leaves;
    private readonly Tree[] _trees;

    private CompiledTreeEnsemble(Node[] nodes, double[] leaves, Tree[] trees, int featureCount)
    {
        _nodes = nodes;
        _leaves = leaves;
        _trees = trees;
        FeatureCount = featureCount;
    }

    /// <summary>Length of the feature vector each row supplies.</summary>
    public int FeatureCount { get; }

    /// <summary>A split: go left when the feature's value is ≤ the threshold (NaN goes right); a child below 0 is the leaf ~child.</summary>
    private readonly record struct Node(int Feature, float Threshold, int Left, int Right);

    /// <summary>Where a tree's nodes and leaves start; <paramref name="IsEmpty"/> trees (one leaf, no split) add 0, as in ML.NET.</summary>
    private readonly record struct Tree(int FirstNode, int FirstLeaf, bool IsEmpty);

    /// <summary>The compiled ensemble, or null when it has categorical splits or a split on a feature beyond the vector.</summary>
    public static CompiledTreeEnsemble? TryCompile(RegressionTreeEnsemble ensemble, int featureCount)
    {
        var nodes = new List<Node>();
        var leaves = new List<double>();
        var trees = new List<Tree>();
        foreach (var tree in ensemble.Trees)
        {
            if (tree.CategoricalSplitFlags.Any(flag => flag))
                return null;
            trees.Add(new Tree(nodes.Count, leaves.Count, tree.NumberOfNodes == 0));
            for (var n = 0; n < tree.NumberOfNodes; n++)
            {
                var feature = tree.NumericalSplitFeatureIndexes[n];
                if (feature < 0 || feature >= featureCount)
                    return null;
                nodes.Add(new Node(feature, tree.NumericalSplitThresholds[n], tree.LeftChild[n], tree.RightChild[n]));
            }
            leaves.AddRange(tree.LeafValues);
        }
        return new CompiledTreeEnsemble([.. nodes], [.. leaves], [.. trees], featureCount);
    }

    /// <summary>Scores <paramref name="rows"/> rows of <paramref name="features"/> (row-major, <see cref="FeatureCount"/> per row).</summary>
    public void Evaluate(ReadOnlySpan<float> features, int rows, Span<float> scores)
    {
        var sums = rows <= 1024 ? stackalloc double[rows] : new double[rows];
        sums.Clear();
        var nodes = _nodes.AsSpan();
        var width = FeatureCount;
        foreach (var tree in _trees)
        {
            if (tree.IsEmpty)
                continue;
            var treeNodes = nodes[tree.FirstNode..];
            var treeLeaves = _leaves.AsSpan(tree.FirstLeaf);
            for (var row = 0; row < rows; row++)
            {
                var values = features.Slice(row * width, width);
                var node = 0;
                while (node >= 0)
                {
                    ref readonly var split = ref treeNodes[node];
                    node = values[split.Feature] <= split.Threshold ? split.Left : split.Right;
                }
                sums[row] += treeLeaves[~node];
            }
        }
        for (var row = 0; row < rows; row++)
            scores[row] = (float)sums[row];
    }

    /// <summary>
    /// <paramref name="rows"/> feature vectors where a wrong comparison would show: each value exactly at, just below
    /// or just above a threshold of its feature, NaN or zero (row-major, <see cref="FeatureCount"/> per row).
    /// </summary>
    public float[] ProbeFeatures(int rows)
    {
        var candidates = Enumerable.Range(0, FeatureCount).Select(_ => new List<float> { 0f, float.NaN }).ToArray();
        foreach (var node in _nodes)
            candidates[node.Feature].AddRange([node.Threshold, MathF.BitDecrement(node.Threshold), MathF.BitIncrement(node.Threshold)]);
        var random = new Random(17);
        var features = new float[rows * FeatureCount];
        for (var i = 0; i < features.Length; i++)
        {
            var choices = candidates[i % FeatureCount];
            features[i] = choices[random.Next(choices.Count)];
        }
        return features;
    }
}
