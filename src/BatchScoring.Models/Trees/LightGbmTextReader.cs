using System.Globalization;
using System.Text;
using BatchScoring.Core.Errors;

namespace BatchScoring.Models.Trees;

/// <summary>
/// Reads LightGBM's text model format (<c>Booster.save_model("model.txt")</c>, <c>LGBM_BoosterSaveModel</c>): objectives
/// <c>binary</c> (with its <c>sigmoid</c>), <c>multiclass</c>, identity regressions and the log-link ones (poisson, gamma,
/// tweedie); numeric splits with their missing-value type (None: NaN counts as 0; Zero; NaN) and default direction, and
/// categorical splits (bit sets). Features keep the file's names (<c>Column_0 …</c> when trained without names).
/// A file without <c>end of trees</c>, or whose trees are cut short, is refused as truncated.
/// </summary>
internal static class LightGbmTextReader
{
    private const int CategoricalMask = 1, DefaultLeftMask = 2;
    private static readonly HashSet<string> LogLink = ["poisson", "gamma", "tweedie"];
    private static readonly HashSet<string> Identity = ["regression", "regression_l1", "huber", "fair", "quantile", "mape", "l2", "l1"];

    public static ParsedTrees Read(byte[] bytes, string path)
    {
        var text = Encoding.UTF8.GetString(bytes);
        if (!text.Contains("\nend of trees", StringComparison.Ordinal))
            throw new BatchScoringException($"LightGBM model {path} is truncated or not a LightGBM text model: it has no 'end of trees' line.");
        var blocks = text[..text.IndexOf("\nend of trees", StringComparison.Ordinal)].Split("\nTree=", StringSplitOptions.None);
        try
        {
            var header = Fields(blocks[0]);
            var trees = blocks.Skip(1).Select(Fields).ToArray();
            return Read(header, trees, path);
        }
        catch (Exception e) when (e is KeyNotFoundException or FormatException or IndexOutOfRangeException or OverflowException)
        {
            throw new BatchScoringException($"Could not read LightGBM model {path}: {e.Message}", e);
        }
    }

    private static ParsedTrees Read(Dictionary<string, string> header, Dictionary<string, string>[] treeFields, string path)
    {
        var objectiveLine = header["objective"].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var objective = objectiveLine[0];
        var perIteration = int.Parse(header.GetValueOrDefault("num_tree_per_iteration", "1"), CultureInfo.InvariantCulture);
        var featureCount = int.Parse(header["max_feature_idx"], CultureInfo.InvariantCulture) + 1;
        var names = header.TryGetValue("feature_names", out var n) ? n.Split(' ', StringSplitOptions.RemoveEmptyEntries) : [];
        if (names.Length != featureCount)
            throw new BatchScoringException($"LightGBM model {path}: {names.Length} feature names for {featureCount} features.");
        var sigmoid = objectiveLine.Skip(1).FirstOrDefault(p => p.StartsWith("sigmoid:", StringComparison.Ordinal)) is { } s
            ? double.Parse(s["sigmoid:".Length..], CultureInfo.InvariantCulture)
            : 1;
        var kind = objective switch
        {
            "binary" or "cross_entropy" => TreeObjective.Binary,
            "multiclass" or "softmax" => TreeObjective.Multiclass,
            _ when LogLink.Contains(objective) => TreeObjective.LogRegression,
            _ when Identity.Contains(objective) => TreeObjective.Regression,
            _ => throw new BatchScoringException(
                $"LightGBM model {path}: objective '{objective}' is not supported; BatchScoring scores binary, multiclass and regression objectives."),
        };
        if (header.TryGetValue("tree_sizes", out var sizes) && sizes.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length != treeFields.Length)
            throw new BatchScoringException($"LightGBM model {path} is truncated: its header lists {sizes.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length} trees, the file holds {treeFields.Length}.");

        var trees = treeFields.Select((fields, i) => Tree(fields, i % perIteration, featureCount, path)).ToArray();
        // feature_infos: [min:max] for a numeric feature, the categories seen (0:1:2) for a categorical one, none if unused.
        var infos = header.TryGetValue("feature_infos", out var i) ? i.Split(' ', StringSplitOptions.RemoveEmptyEntries) : [];
        var categorical = names.Select((_, f) => f < infos.Length && !infos[f].StartsWith('[') && infos[f] != "none").ToArray();
        return new ParsedTrees("lightgbm", objective, kind, names, categorical, trees, perIteration, new double[perIteration],
            StrictSplits: false, CategoryInSetGoesLeft: true, FloatSums: false, sigmoid, header.ContainsKey("average_output"));
    }

    private static ParsedTree Tree(Dictionary<string, string> fields, int group, int featureCount, string path)
    {
        var leaves = Doubles(fields, "leaf_value");
        var leafCount = int.Parse(fields["num_leaves"], CultureInfo.InvariantCulture);
        if (leaves.Length != leafCount)
            throw new BatchScoringException($"LightGBM model {path} is truncated: a tree has {leaves.Length} of its {leafCount} leaf values.");
        if (fields.GetValueOrDefault("is_linear", "0") != "0")
            throw new BatchScoringException($"LightGBM model {path} has linear trees (linear_tree=true), which BatchScoring does not score.");
        if (leafCount == 1)
            return new ParsedTree(group, [], [], [], [], [], [], [], leaves);

        var feature = Ints(fields, "split_feature");
        var threshold = Doubles(fields, "threshold");
        var decision = Ints(fields, "decision_type");
        var left = Ints(fields, "left_child");
        var right = Ints(fields, "right_child");
        var splits = leafCount - 1;
        if (new[] { feature.Length, threshold.Length, decision.Length, left.Length, right.Length }.Any(l => l != splits))
            throw new BatchScoringException($"LightGBM model {path} is truncated: a tree of {leafCount} leaves lacks some of its {splits} splits.");
        var boundaries = fields.ContainsKey("cat_boundaries") ? Ints(fields, "cat_boundaries") : [];
        var bitSets = fields.TryGetValue("cat_threshold", out var words) ? words.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(w => uint.Parse(w, CultureInfo.InvariantCulture)).ToArray() : [];

        var missingLeft = new bool[splits];
        var zeroIsMissing = new bool[splits];
        var categories = new int[]?[splits];
        for (var i = 0; i < splits; i++)
        {
            if (feature[i] < 0 || feature[i] >= featureCount)
                throw new BatchScoringException($"LightGBM model {path}: a split on feature {feature[i]} of {featureCount}.");
            var missingType = (decision[i] >> 2) & 3;
            if ((decision[i] & CategoricalMask) != 0)
            {
                var set = (int)threshold[i];
                categories[i] = Categories(bitSets, boundaries[set], boundaries[set + 1]);
                missingLeft[i] = false;
                continue;
            }
            // None: NaN is read as 0 and compared; Zero: NaN and 0 take the default side; NaN: NaN takes it.
            missingLeft[i] = missingType == 0 ? 0 <= threshold[i] : (decision[i] & DefaultLeftMask) != 0;
            zeroIsMissing[i] = missingType == 1;
        }
        return new ParsedTree(group, feature, threshold, left, right, missingLeft, zeroIsMissing, categories, leaves);
    }

    private static int[] Categories(uint[] bits, int from, int to)
    {
        var categories = new List<int>();
        for (var w = from; w < to; w++)
        {
            for (var b = 0; b < 32; b++)
            {
                if ((bits[w] & (1u << b)) != 0)
                    categories.Add((w - from) * 32 + b);
            }
        }
        return [.. categories];
    }

    private static Dictionary<string, string> Fields(string block)
    {
        var fields = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var line in block.Split('\n'))
        {
            var equals = line.IndexOf('=');
            if (equals > 0)
                fields[line[..equals].Trim()] = line[(equals + 1)..].Trim();
        }
        return fields;
    }

    private static int[] Ints(Dictionary<string, string> fields, string key)
        => fields[key].Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(v => int.Parse(v, CultureInfo.InvariantCulture)).ToArray();

    private static double[] Doubles(Dictionary<string, string> fields, string key)
        => fields[key].Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(v => double.Parse(v, NumberStyles.Float, CultureInfo.InvariantCulture)).ToArray();
}
