using System.Globalization;
using BatchScoring.Postgres.Migrations;

namespace BatchScoring.Postgres.Tests;

/// <summary>Every script of <c>sql/</c> has a number of its own, so that two branches adding a migration collide in review, not in a database.</summary>
public class MigrationNumberingTests
{
    /// <summary>Numbers shared before the rule existed; applied databases record them by full name, so they stay.</summary>
    private static readonly HashSet<int> LegacyDuplicates = [5];

    private const int FirstStrictNumber = 13;

    [Fact]
    public void Script_numbers_are_unique_and_increasing_except_the_legacy_duplicates()
    {
        var numbers = MigrationScript.All.Select(s => (s.Version, Number: Number(s.Version))).ToList();
        Assert.Contains(numbers, n => n.Number >= FirstStrictNumber);

        var duplicates = numbers.GroupBy(n => n.Number).Where(g => g.Count() > 1).Select(g => g.Key).ToHashSet();
        Assert.True(duplicates.IsSubsetOf(LegacyDuplicates),
            $"migration numbers used twice: {string.Join(", ", duplicates.Except(LegacyDuplicates).Select(d => d.ToString("000", CultureInfo.InvariantCulture)))}");

        for (var i = 1; i < numbers.Count; i++)
        {
            if (numbers[i].Number >= FirstStrictNumber)
                Assert.True(numbers[i].Number > numbers[i - 1].Number, $"{numbers[i].Version} does not come after {numbers[i - 1].Version}");
        }
    }

    private static int Number(string version)
    {
        var prefix = version.Split('_')[0];
        Assert.True(prefix.Length == 3 && prefix.All(char.IsAsciiDigit), $"{version}: a script's name starts with a three-digit number and '_'");
        return int.Parse(prefix, CultureInfo.InvariantCulture);
    }
}
