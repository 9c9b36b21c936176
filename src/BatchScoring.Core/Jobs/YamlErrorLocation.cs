using YamlDotNet.Core;

namespace BatchScoring.Core.Jobs;

/// <summary>Where a YAML syntax error really is.</summary>
internal static class YamlErrorLocation
{
    /// <summary>
    /// YamlDotNet reports a tab in indentation at the start of the construct it was scanning (often 1:1);
    /// the position of that tab is the first one at or after it that only whitespace precedes on its line.
    /// </summary>
    public static (long Line, long Column) Of(YamlException e, string yaml)
    {
        if (!e.Message.Contains("tab", StringComparison.OrdinalIgnoreCase))
            return (e.Start.Line, e.Start.Column);
        long line = 1, column = 1;
        var indentation = true;
        for (var i = 0; i < yaml.Length; i++)
        {
            var c = yaml[i];
            if (c == '\t' && indentation && i >= e.Start.Index)
                return (line, column);
            if (c == '\n')
            {
                (line, column, indentation) = (line + 1, 1, true);
                continue;
            }
            indentation &= c is ' ' or '\t';
            column++;
        }
        return (e.Start.Line, e.Start.Column);
    }
}
