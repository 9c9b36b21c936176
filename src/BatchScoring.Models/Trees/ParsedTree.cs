namespace BatchScoring.Models.Trees;

/// <summary>
/// One tree as a model file states it, in the file's own rule: a numeric split goes left when the value is &lt; the
/// threshold (<see cref="ParsedTrees.StrictSplits"/>, XGBoost) or ≤ it (LightGBM); a missing value (NaN) goes to
/// <see cref="MissingLeft"/>'s side; a categorical split tests the value's integer category against a set. A child below 0
/// is the leaf <c>~child</c>; a tree without splits is its single leaf.
/// </summary>
internal sealed record ParsedTree(
    int Group,
    int[] Feature,
    double[] Threshold,
    int[] Left,
    int[] Right,
    bool[] MissingLeft,
    bool[] ZeroIsMissing,
    IReadOnlyList<int[]?> Categories,
    double[] Leaves)
{
    public int Splits => Feature.Length;
}

/// <summary>What a tree-model file holds once read: its trees and the rule that turns their sums into predictions.</summary>
/// <param name="Format">xgboost or lightgbm.</param>
/// <param name="StrictSplits">XGBoost's "value &lt; threshold goes left" (on float32 values) rather than LightGBM's "≤" (on doubles).</param>
/// <param name="CategoryInSetGoesLeft">LightGBM sends a category in the split's set left; XGBoost sends it right.</param>
/// <param name="FloatSums">XGBoost adds leaf values in float32, tree after tree, onto the base margin.</param>
/// <param name="Groups">1, or the number of classes of a multiclass model (tree i adds to its group).</param>
internal sealed record ParsedTrees(
    string Format,
    string Objective,
    TreeObjective Kind,
    IReadOnlyList<string> FeatureNames,
    IReadOnlyList<bool> CategoricalFeatures,
    IReadOnlyList<ParsedTree> Trees,
    int Groups,
    double[] BaseMargin,
    bool StrictSplits,
    bool CategoryInSetGoesLeft,
    bool FloatSums,
    double SigmoidScale = 1,
    bool AverageTrees = false);

/// <summary>What the sum of a row's trees means.</summary>
internal enum TreeObjective
{
    /// <summary>A logit: probability = 1 / (1 + e^(−scale·margin)).</summary>
    Binary,
    /// <summary>The prediction itself.</summary>
    Regression,
    /// <summary>The prediction's logarithm (LightGBM poisson, gamma, tweedie).</summary>
    LogRegression,
    /// <summary>One logit per class: probabilities by softmax.</summary>
    Multiclass,
}
