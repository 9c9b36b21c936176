using System.Globalization;

namespace BatchScoring.Models.Onnx;

/// <summary>
/// The class labels a converted classifier carries in its graph: the <c>classlabels_int64s</c> or
/// <c>classlabels_strings</c> attribute of its <c>ZipMap</c> node, else of its classifier node
/// (<c>LinearClassifier</c>'s <c>classlabels_ints</c>, <c>TreeEnsembleClassifier</c>, <c>SVMClassifier</c>), in the classifier's order.
/// </summary>
internal static class OnnxClassLabels
{
    private static readonly string[] Classifiers = ["ZipMap", "LinearClassifier", "TreeEnsembleClassifier", "SVMClassifier"];

    /// <summary>The labels, whether they are numbers, or null when no node carries them.</summary>
    public static (string[] Labels, bool AreNumbers)? Read(IReadOnlyList<OnnxNode> nodes)
    {
        foreach (var opType in Classifiers)
        {
            foreach (var node in nodes.Where(n => n.OpType == opType))
            {
                if (Labels(node) is { } labels)
                    return labels;
            }
        }
        return null;
    }

    public static (string[] Labels, bool AreNumbers)? Labels(OnnxNode node)
    {
        foreach (var name in (ReadOnlySpan<string>)["classlabels_int64s", "classlabels_ints"])
        {
            if (node.Attributes.TryGetValue(name, out var ints) && ints.Ints.Count > 0)
                return ([.. ints.Ints.Select(i => i.ToString(CultureInfo.InvariantCulture))], true);
        }
        return node.Attributes.TryGetValue("classlabels_strings", out var strings) && strings.Strings.Count > 0 ? ([.. strings.Strings], false) : null;
    }
}
