using System.Text;

namespace BatchScoring.IntegrationTests.Scheduling;

/// <summary>The job files of the audit that once crashed the worker (issue 13, finding 7), by file name.</summary>
internal static class HostileJobFiles
{
    public static readonly IReadOnlyList<string> Names =
        ["deep-flow.yaml", "deep-block.yaml", "laughs.yaml", "huge.yaml", "garbage.yaml"];

    public static void WriteAll(string folder)
    {
        File.WriteAllText(Path.Combine(folder, "deep-flow.yaml"), "name: " + new string('[', 10_000) + new string(']', 10_000) + "\n");
        File.WriteAllText(Path.Combine(folder, "deep-block.yaml"), "name:\n" + string.Concat(Enumerable.Repeat("- ", 10_000)) + "x\n");
        var laughs = new StringBuilder("a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
        for (var level = 'b'; level <= 'i'; level++)
            laughs.Append($"{level}: &{level} [{string.Join(", ", Enumerable.Repeat($"*{(char)(level - 1)}", 9))}]\n");
        File.WriteAllText(Path.Combine(folder, "laughs.yaml"), laughs.ToString());
        File.WriteAllText(Path.Combine(folder, "huge.yaml"), "name: huge\n# " + new string('x', 10 * 1024 * 1024) + "\n");
        var garbage = new byte[256 * 1024];
        new Random(13).NextBytes(garbage);
        File.WriteAllBytes(Path.Combine(folder, "garbage.yaml"), garbage);
    }
}
