namespace BatchScoring.Models.Trees;

/// <summary>
/// The trees evaluated one row at a time by each file's own rule, with no flattening or rewriting: what
/// <see cref="FlatTreeEnsemble"/> must reproduce exactly before it scores anything.
/// </summary>
internal static class ParsedTreeWalk
{
    public static void Evaluate(ParsedTrees model, ReadOnlySpan<double> features, int rows, Span<double> margins)
    {
        var width = model.FeatureNames.Count;
        for (var row = 0; row < rows; row++)
        {
            var values = features.Slice(row * width, width);
            foreach (var tree in model.Trees)
            {
                var leaf = tree.Splits == 0 ? tree.Leaves[0] : tree.Leaves[~Walk(model, tree, values)];
                var index = row * model.Groups + tree.Group;
                margins[index] = model.FloatSums ? (float)margins[index] + (float)leaf : margins[index] + leaf;
            }
        }
    }

    private static int Walk(ParsedTrees model, ParsedTree tree, ReadOnlySpan<double> values)
    {
        var node = 0;
        while (node >= 0)
        {
            var x = values[tree.Feature[node]];
            bool left;
            if (double.IsNaN(x))
                left = tree.MissingLeft[node];
            else if (tree.Categories[node] is { } categories)
                left = (x >= 0 && Array.IndexOf(categories, (int)x) >= 0) == model.CategoryInSetGoesLeft;
            else if (tree.ZeroIsMissing[node] && Math.Abs(x) <= FlatTreeEnsemble.ZeroThreshold)
                left = tree.MissingLeft[node];
            else
                left = model.StrictSplits ? (float)x < (float)tree.Threshold[node] : x <= tree.Threshold[node];
            node = left ? tree.Left[node] : tree.Right[node];
        }
        return node;
    }
}
