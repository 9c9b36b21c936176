using System.Text.RegularExpressions;

namespace BatchScoring.Core.Jobs;

/// <summary>Job names are used in file names, Quartz keys, logs and the ledger, so they are kept plain.</summary>
public static partial class JobNames
{
    public const string Rule = "use lowercase letters, digits, '-' and '_', starting with a letter (at most 100)";

    public static bool IsValid(string name) => name.Length <= 100 && Pattern().IsMatch(name);

    [GeneratedRegex("^[a-z][a-z0-9_-]*$")]
    private static partial Regex Pattern();
}
