using System.Globalization;
using System.Text;
using System.Text.Json;
using BatchScoring.Core.Errors;

namespace BatchScoring.Models.Trees;

/// <summary>
/// Reads XGBoost's JSON model format (<c>Booster.save_model("model.json")</c>, XGBoost 1.6 and later): a <c>gbtree</c> booster
/// with objective <c>binary:logistic</c>, <c>reg:logistic</c>, <c>reg:squarederror</c> (or another identity regression),
/// <c>multi:softprob</c> or <c>multi:softmax</c>; numeric splits with their default direction for missing values, and
/// categorical splits. Features without names in the file are XGBoost's defaults <c>f0 … f{F-1}</c>.
/// </summary>
internal static class XgboostJsonReader
{
    private static readonly HashSet<string> IdentityObjectives =
        ["reg:squarederror", "reg:squaredlogerror", "reg:pseudohubererror", "reg:absoluteerror", "reg:linear", "reg:quantileerror"];

    public static ParsedTrees Read(byte[] bytes, string path)
    {
        try
        {
            using var document = JsonDocument.Parse(WithoutNonFiniteLiterals(bytes));
            return Read(document.RootElement.GetProperty("learner"), path);
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException or IndexOutOfRangeException)
        {
            throw new BatchScoringException($"Could not read XGBoost JSON model {path}: {e.Message}", e);
        }
    }

    private static ParsedTrees Read(JsonElement learner, string path)
    {
        var parameters = learner.GetProperty("learner_model_param");
        var featureCount = int.Parse(parameters.GetProperty("num_feature").GetString()!, CultureInfo.InvariantCulture);
        var classes = int.Parse(parameters.GetProperty("num_class").GetString()!, CultureInfo.InvariantCulture);
        var baseScore = float.Parse(parameters.GetProperty("base_score").GetString()!.Trim('[', ']'), NumberStyles.Float, CultureInfo.InvariantCulture);
        var objective = learner.GetProperty("objective").GetProperty("name").GetString()!;
        var booster = learner.GetProperty("gradient_booster");
        if (booster.GetProperty("name").GetString() is var name and not "gbtree")
            throw new BatchScoringException($"XGBoost model {path}: booster '{name}' is not supported; BatchScoring scores gbtree boosters.");

        var (kind, groups, margin) = objective switch
        {
            "binary:logistic" or "reg:logistic" => (TreeObjective.Binary, 1, -MathF.Log(1f / baseScore - 1f)),
            "multi:softprob" or "multi:softmax" => (TreeObjective.Multiclass, classes, baseScore),
            _ when IdentityObjectives.Contains(objective) => (TreeObjective.Regression, 1, baseScore),
            _ => throw new BatchScoringException(
                $"XGBoost model {path}: objective '{objective}' is not supported; BatchScoring scores binary:logistic, reg:logistic, " +
                "multi:softprob, multi:softmax and identity regressions such as reg:squarederror."),
        };
        var names = Strings(learner, "feature_names");
        var types = Strings(learner, "feature_types");
        if (names.Length == 0)
            names = Enumerable.Range(0, featureCount).Select(i => $"f{i}").ToArray();
        if (names.Length != featureCount)
            throw new BatchScoringException($"XGBoost model {path}: {names.Length} feature names for {featureCount} features.");

        var model = booster.GetProperty("model");
        if (model.GetProperty("gbtree_model_param").TryGetProperty("size_leaf_vector", out var vector) && vector.GetString() is not (null or "0"))
            throw new BatchScoringException($"XGBoost model {path} has vector leaves (multi_strategy=multi_output_tree), which BatchScoring does not score.");
        var groupOf = model.GetProperty("tree_info").EnumerateArray().Select(e => e.GetInt32()).ToArray();
        var trees = model.GetProperty("trees").EnumerateArray().Select((t, i) => Tree(t, groupOf[i], featureCount, path)).ToArray();
        return new ParsedTrees("xgboost", objective, kind, names, names.Select((_, i) => i < types.Length && types[i] == "c").ToArray(),
            trees, groups, Enumerable.Repeat((double)margin, groups).ToArray(), StrictSplits: true, CategoryInSetGoesLeft: false, FloatSums: true);
    }

    /// <summary>XGBoost's node arrays (leaves are nodes whose left child is −1, their value in split_conditions) as a <see cref="ParsedTree"/>.</summary>
    private static ParsedTree Tree(JsonElement tree, int group, int featureCount, string path)
    {
        var left = Ints(tree, "left_children");
        var right = Ints(tree, "right_children");
        var feature = Ints(tree, "split_indices");
        var conditions = Numbers(tree, "split_conditions");
        var defaultLeft = tree.GetProperty("default_left").EnumerateArray().Select(e => e.ValueKind == JsonValueKind.True || (e.ValueKind == JsonValueKind.Number && e.GetInt32() != 0)).ToArray();
        var splitType = tree.TryGetProperty("split_type", out var types) ? types.EnumerateArray().Select(e => e.GetInt32()).ToArray() : new int[left.Length];
        var categories = CategorySets(tree);

        // Renumber: splits 0…S-1 in node order, leaves ~0…~(L-1).
        var index = new int[left.Length];
        int splits = 0, leaves = 0;
        for (var n = 0; n < left.Length; n++)
            index[n] = left[n] == -1 ? ~leaves++ : splits++;
        var parsed = new ParsedTree(group, new int[splits], new double[splits], new int[splits], new int[splits], new bool[splits], new bool[splits],
            new int[]?[splits], new double[leaves]);
        var categoryList = (int[]?[])parsed.Categories;
        for (var n = 0; n < left.Length; n++)
        {
            var at = index[n];
            if (at < 0)
            {
                parsed.Leaves[~at] = conditions[n];
                continue;
            }
            if (feature[n] < 0 || feature[n] >= featureCount)
                throw new BatchScoringException($"XGBoost model {path}: a split on feature {feature[n]} of {featureCount}.");
            parsed.Feature[at] = feature[n];
            parsed.Threshold[at] = conditions[n];
            parsed.Left[at] = index[left[n]];
            parsed.Right[at] = index[right[n]];
            parsed.MissingLeft[at] = defaultLeft[n];
            if (splitType[n] == 1)
                categoryList[at] = categories.TryGetValue(n, out var set) ? set : [];
        }
        return parsed;
    }

    private static Dictionary<int, int[]> CategorySets(JsonElement tree)
    {
        var sets = new Dictionary<int, int[]>();
        if (!tree.TryGetProperty("categories_nodes", out var nodesElement))
            return sets;
        var nodes = nodesElement.EnumerateArray().Select(e => e.GetInt32()).ToArray();
        var categories = Ints(tree, "categories");
        var segments = Ints(tree, "categories_segments");
        var sizes = Ints(tree, "categories_sizes");
        for (var i = 0; i < nodes.Length; i++)
            sets[nodes[i]] = categories.AsSpan(segments[i], sizes[i]).ToArray();
        return sets;
    }

    private static int[] Ints(JsonElement e, string name) => e.GetProperty(name).EnumerateArray().Select(v => v.GetInt32()).ToArray();

    private static double[] Numbers(JsonElement e, string name)
        => e.GetProperty(name).EnumerateArray().Select(v => v.ValueKind == JsonValueKind.Null ? double.NaN : (double)v.GetSingle()).ToArray();

    private static string[] Strings(JsonElement e, string name)
        => e.TryGetProperty(name, out var array) ? array.EnumerateArray().Select(v => v.GetString() ?? "").ToArray() : [];

    /// <summary>XGBoost writes NaN and Infinity as bare words, which JSON does not allow; outside strings they become null.</summary>
    private static byte[] WithoutNonFiniteLiterals(byte[] bytes)
    {
        var text = Encoding.UTF8.GetString(bytes);
        var output = new StringBuilder(text.Length);
        var inString = false;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (inString)
            {
                output.Append(c);
                if (c == '\\' && i + 1 < text.Length)
                    output.Append(text[++i]);
                else if (c == '"')
                    inString = false;
                continue;
            }
            if (c == '"')
                inString = true;
            var literal = Literal(text, i);
            if (literal > 0)
            {
                output.Append("null");
                i += literal - 1;
                continue;
            }
            output.Append(c);
        }
        return Encoding.UTF8.GetBytes(output.ToString());
    }

    private static int Literal(string text, int at)
    {
        foreach (var word in (ReadOnlySpan<string>)["NaN", "-NaN", "Infinity", "-Infinity", "inf", "-inf"])
        {
            if (string.CompareOrdinal(text, at, word, 0, word.Length) == 0)
                return word.Length;
        }
        return 0;
    }
}
