using BatchScoring.Models.Trees;

namespace BatchScoring.Models.Onnx;

/// <summary>
/// A boosted <c>TreeEnsembleClassifier</c> or <c>TreeEnsembleRegressor</c> (as onnxmltools writes XGBoost and LightGBM models
/// and skl2onnx gradient boosting) read into <see cref="ParsedTrees"/>, so that <see cref="CompiledOnnxTrees"/> can score it
/// with the compiled tree evaluator. Only graphs whose one tree node reads the model's one input, with every split of one
/// mode (<c>BRANCH_LEQ</c> or <c>BRANCH_LT</c>), every leaf adding one weight to one target of its tree, <c>SUM</c>
/// aggregation and a post transform the evaluator applies (NONE for regressors; LOGISTIC for one-score binary, SOFTMAX
/// for multiclass classifiers) are read; anything else stays with ONNX Runtime.
/// </summary>
internal static class OnnxTreeEnsembles
{
    private static readonly HashSet<string> Passive = ["ZipMap", "Identity"];

    public static ParsedTrees? TryRead(OnnxModel model, string input)
    {
        var trees = model.Nodes.Where(n => n.OpType is "TreeEnsembleClassifier" or "TreeEnsembleRegressor").ToArray();
        if (trees.Length != 1 || trees[0].Inputs is not [var fed] || fed != input
            || model.Nodes.Any(n => n != trees[0] && !Passive.Contains(n.OpType)))
            return null;
        var node = trees[0];
        var classifier = node.OpType == "TreeEnsembleClassifier";
        var prefix = classifier ? "class_" : "target_";
        var a = node.Attributes;
        string Text(string name, string fallback) => a.TryGetValue(name, out var v) ? v.String : fallback;
        if (Text("aggregate_function", "SUM") != "SUM" || a.ContainsKey("nodes_values_as_tensor") || a.ContainsKey("base_values_as_tensor"))
            return null;
        var modes = a.TryGetValue("nodes_modes", out var m) ? m.Strings : [];
        var branchModes = modes.Where(x => x != "LEAF").Distinct().ToArray();
        if (branchModes.Length > 1 || branchModes.Any(x => x is not ("BRANCH_LEQ" or "BRANCH_LT")))
            return null;

        var transform = Text("post_transform", "NONE");
        var labels = classifier ? OnnxClassLabels.Labels(node)?.Labels : null;
        var targetIds = Ints(a, prefix + "ids");
        var groups = classifier ? (labels is { Length: 2 } ? 1 : labels?.Length ?? 0) : (int)(a.TryGetValue("n_targets", out var t) ? t.Int : 1);
        var kind = (classifier, transform, groups) switch
        {
            (false, "NONE", 1) => TreeObjective.Regression,
            (true, "LOGISTIC", 1) when targetIds.All(id => id == 0) => TreeObjective.Binary,
            (true, "SOFTMAX", > 2) => TreeObjective.Multiclass,
            _ => (TreeObjective?)null,
        };
        var baseValues = a.TryGetValue("base_values", out var b) ? b.Floats.Select(v => (double)v).ToArray() : [];
        if (kind is null || (baseValues.Length != 0 && baseValues.Length != groups))
            return null;

        var parsed = Trees(a, prefix, groups);
        if (parsed is null)
            return null;
        var width = model.Session.InputMetadata[input].Dimensions[1];
        if (parsed.Any(tree => tree.Feature.Any(f => f < 0 || f >= width)))
            return null;
        return new ParsedTrees("onnx", $"{node.OpType} {transform}", kind.Value, Enumerable.Range(0, width).Select(i => $"{input}[{i}]").ToArray(),
            new bool[width], parsed, groups, baseValues.Length == 0 ? new double[groups] : baseValues,
            StrictSplits: branchModes is ["BRANCH_LT"], CategoryInSetGoesLeft: false, FloatSums: true);
    }

    /// <summary>The trees, each with the target its leaves add to; null when a leaf has no weight or several, or a tree adds to several targets.</summary>
    private static ParsedTree[]? Trees(IReadOnlyDictionary<string, OnnxAttribute> a, string prefix, int groups)
    {
        var treeIds = Ints(a, "nodes_treeids");
        var nodeIds = Ints(a, "nodes_nodeids");
        var features = Ints(a, "nodes_featureids");
        var values = a.TryGetValue("nodes_values", out var v) ? v.Floats : [];
        var modes = a["nodes_modes"].Strings;
        var trueIds = Ints(a, "nodes_truenodeids");
        var falseIds = Ints(a, "nodes_falsenodeids");
        var missingTrue = Ints(a, "nodes_missing_value_tracks_true");
        var weightTrees = Ints(a, prefix + "treeids");
        var weightNodes = Ints(a, prefix + "nodeids");
        var weightTargets = Ints(a, prefix + "ids");
        var weights = a.TryGetValue(prefix + "weights", out var w) ? w.Floats : [];
        if (new[] { nodeIds.Length, features.Length, values.Count, modes.Count, trueIds.Length, falseIds.Length }.Any(n => n != treeIds.Length)
            || new[] { weightNodes.Length, weightTargets.Length, weights.Count }.Any(n => n != weightTrees.Length))
            return null;

        var leafWeight = new Dictionary<(long Tree, long Node), (long Target, double Weight)>();
        for (var i = 0; i < weightTrees.Length; i++)
        {
            if (!leafWeight.TryAdd((weightTrees[i], weightNodes[i]), (weightTargets[i], weights[i])))
                return null;
        }
        var result = new List<ParsedTree>();
        foreach (var tree in treeIds.Distinct())
        {
            var at = Enumerable.Range(0, treeIds.Length).Where(i => treeIds[i] == tree).ToDictionary(i => nodeIds[i]);
            var children = at.Values.Where(i => modes[i] != "LEAF").SelectMany(i => new[] { trueIds[i], falseIds[i] }).ToHashSet();
            var roots = at.Keys.Where(id => !children.Contains(id)).ToArray();
            if (roots.Length != 1)
                return null;
            var (splits, leaves) = (new List<long>(), new List<long>());
            var index = new Dictionary<long, int>();
            var queue = new Queue<long>([roots[0]]);
            while (queue.Count > 0)
            {
                var id = queue.Dequeue();
                if (!at.TryGetValue(id, out var i) || index.ContainsKey(id))
                    return null;
                if (modes[i] == "LEAF")
                {
                    index[id] = ~leaves.Count;
                    leaves.Add(id);
                    continue;
                }
                index[id] = splits.Count;
                splits.Add(id);
                queue.Enqueue(trueIds[i]);
                queue.Enqueue(falseIds[i]);
            }
            var target = -1L;
            var leafValues = new double[leaves.Count];
            for (var l = 0; l < leaves.Count; l++)
            {
                if (!leafWeight.TryGetValue((tree, leaves[l]), out var weight) || (target >= 0 && weight.Target != target))
                    return null;
                target = weight.Target;
                leafValues[l] = weight.Weight;
            }
            if (target < 0 || target >= groups)
                return null;
            var s = splits.Select(id => at[id]).ToArray();
            result.Add(new ParsedTree((int)target, s.Select(i => (int)features[i]).ToArray(), s.Select(i => (double)values[i]).ToArray(),
                s.Select(i => index[trueIds[i]]).ToArray(), s.Select(i => index[falseIds[i]]).ToArray(),
                s.Select(i => i < missingTrue.Length && missingTrue[i] != 0).ToArray(), new bool[s.Length], new int[]?[s.Length], leafValues));
        }
        return [.. result];
    }

    private static long[] Ints(IReadOnlyDictionary<string, OnnxAttribute> a, string name) => a.TryGetValue(name, out var v) ? [.. v.Ints] : [];
}
