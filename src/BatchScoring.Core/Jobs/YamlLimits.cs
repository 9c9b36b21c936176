using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace BatchScoring.Core.Jobs;

/// <summary>
/// Checks a job file's YAML against limits by walking the parser's events, which is iterative, before
/// the representation model (which recurses per nesting level) is built: nesting depth, and the number of
/// nodes the document has once aliases are expanded (so an alias bomb is refused, not walked).
/// </summary>
public static class YamlLimits
{
    public const int MaxDepth = 64;
    public const long MaxExpandedNodes = 100_000;

    /// <summary>The first limit the document exceeds, with the position where it does; null when within them.</summary>
    /// <exception cref="YamlException">The text is not valid YAML.</exception>
    public static (Mark Where, string Message)? Check(string yaml)
    {
        var parser = new Parser(new StringReader(yaml));
        var open = new Stack<(string? Anchor, long Nodes)>();
        var anchors = new Dictionary<string, long>(StringComparer.Ordinal);
        long total = 0;
        while (parser.MoveNext())
        {
            var added = 0L;
            switch (parser.Current)
            {
                case MappingStart or SequenceStart:
                    var start = (NodeEvent)parser.Current;
                    if (open.Count == MaxDepth)
                        return (start.Start, $"the YAML is nested more than {MaxDepth} levels deep");
                    open.Push((start.Anchor.IsEmpty ? null : start.Anchor.Value, 1));
                    continue;
                case MappingEnd or SequenceEnd:
                    var (anchor, nodes) = open.Pop();
                    if (anchor is not null)
                        anchors[anchor] = nodes;
                    added = nodes;
                    break;
                case Scalar scalar:
                    if (!scalar.Anchor.IsEmpty)
                        anchors[scalar.Anchor.Value] = 1;
                    added = 1;
                    break;
                case AnchorAlias alias:
                    added = anchors.GetValueOrDefault(alias.Value.Value, 1);
                    break;
            }
            if (open.Count > 0)
            {
                var (anchor, nodes) = open.Pop();
                open.Push((anchor, nodes + added));
            }
            else
                total += added;
            if (total + open.Sum(o => o.Nodes) > MaxExpandedNodes)
                return (parser.Current!.Start, $"the YAML expands to more than {MaxExpandedNodes} nodes (through aliases of aliases?)");
        }
        return null;
    }
}
