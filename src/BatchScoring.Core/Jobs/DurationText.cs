using System.Globalization;
using System.Text.RegularExpressions;

namespace BatchScoring.Core.Jobs;

/// <summary>Durations as job files write them: <c>0</c>, <c>1d</c>, <c>6h</c>, <c>30m</c>, <c>45s</c>, or combined like <c>1h30m</c>.</summary>
public static partial class DurationText
{
    public static bool TryParse(string text, out TimeSpan duration)
    {
        duration = TimeSpan.Zero;
        if (text.Trim() == "0")
            return true;
        var match = Pattern().Match(text.Trim());
        if (!match.Success || text.Trim().Length == 0)
            return false;
        long Part(string group) => match.Groups[group].Success ? long.Parse(match.Groups[group].Value, CultureInfo.InvariantCulture) : 0;
        try
        {
            duration = TimeSpan.FromDays(Part("d")) + TimeSpan.FromHours(Part("h")) + TimeSpan.FromMinutes(Part("m")) + TimeSpan.FromSeconds(Part("s"));
            return true;
        }
        catch (OverflowException)
        {
            return false;
        }
    }

    [GeneratedRegex(@"^(?:(?<d>\d{1,6})d)?(?:(?<h>\d{1,7})h)?(?:(?<m>\d{1,9})m)?(?:(?<s>\d{1,9})s)?$")]
    private static partial Regex Pattern();
}
