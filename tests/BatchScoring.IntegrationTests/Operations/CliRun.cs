using System.Diagnostics;

namespace BatchScoring.IntegrationTests.Operations;

/// <summary>One finished <c>batchscoring</c> process with stdout and stderr kept apart, for tests of what each stream shows.</summary>
internal sealed partial record CliRun(int ExitCode, string Stdout, string Stderr)
{
    public static async Task<CliRun> RunAsync(string workingDirectory, IEnumerable<string> arguments, IReadOnlyDictionary<string, string> environment)
    {
        using var process = Process.Start(Cli.StartInfo(workingDirectory, arguments, environment))!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        await process.WaitForExitAsync(timeout.Token);
        return new CliRun(process.ExitCode, await stdout, await stderr);
    }

    /// <summary>
    /// The process failed with <paramref name="exitCode"/> and exactly one line on stderr besides log lines below Error,
    /// containing every one of <paramref name="expected"/>; no error or fatal log line, and no stack frame anywhere.
    /// </summary>
    public void AssertOneLineError(int exitCode, params string[] expected)
    {
        Assert.True(ExitCode == exitCode, $"exit {ExitCode}, expected {exitCode}\nstdout:\n{Stdout}\nstderr:\n{Stderr}");
        var lines = Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(line => !LogLineBelowError().IsMatch(line)).ToArray();
        Assert.True(lines.Length == 1, $"stderr has {lines.Length} lines besides log lines below Error:\n{Stderr}");
        Assert.StartsWith("error: ", lines[0]);
        foreach (var text in expected)
            Assert.Contains(text, lines[0]);
        Assert.DoesNotContain("   at ", Stdout + Stderr);
    }

    [System.Text.RegularExpressions.GeneratedRegex(@"^\[\d{2}:\d{2}:\d{2} (INF|DBG|VRB|WRN)\]")]
    private static partial System.Text.RegularExpressions.Regex LogLineBelowError();
}
