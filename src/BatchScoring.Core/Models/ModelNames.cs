using System.Text.RegularExpressions;

namespace BatchScoring.Core.Models;

/// <summary>
/// What a registered model's name and an alias may look like: a name is letters, digits, '.', '_'
/// and '-' (it becomes a folder of the model store, and '@' separates it from the alias); an alias
/// is a word that does not start with a digit, so <c>name@3</c> always means version 3.
/// </summary>
public static partial class ModelNames
{
    public static bool IsValidName(string name) => NamePattern().IsMatch(name);

    public static bool IsValidAlias(string alias) => AliasPattern().IsMatch(alias);

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$")]
    private static partial Regex NamePattern();

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_-]{0,62}$")]
    private static partial Regex AliasPattern();
}
