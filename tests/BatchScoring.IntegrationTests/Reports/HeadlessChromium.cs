using System.Diagnostics;

namespace BatchScoring.IntegrationTests.Reports;

/// <summary>Loads a local file or a URL in Debian's headless Chromium (installed by .ci/run): the DOM it built, or a PNG of the window.</summary>
internal static class HeadlessChromium
{
    private static readonly string[] Executables = ["/usr/bin/chromium", "/usr/bin/chromium-browser"];

    /// <param name="width">The window's width in CSS pixels, which the page lays out to (Chromium's default when null).</param>
    public static async Task<string> DumpDomAsync(string htmlFile, int? width = null, int height = 900) =>
        (await RunAsync(htmlFile, width is { } w ? [$"--window-size={w},{height}", "--dump-dom"] : ["--dump-dom"])).Stdout;

    /// <summary>
    /// The DOM once the page's scripts ran for <paramref name="budget"/> of virtual time (timers fire, fetches finish), and
    /// every message the page or its frames wrote to the browser console, script errors and failed loads included.
    /// </summary>
    public static async Task<(string Dom, IReadOnlyList<string> Console)> DumpDomAndConsoleAsync(string url, int width, int height, TimeSpan budget)
    {
        var (dom, log) = await RunAsync(url, [$"--window-size={width},{height}", "--enable-logging=stderr", "--v=0", $"--virtual-time-budget={(int)budget.TotalMilliseconds}", "--dump-dom"]);
        return (dom, log.Split('\n').Where(line => line.Contains(":CONSOLE", StringComparison.Ordinal)).ToArray());
    }

    /// <summary>A PNG of the first <paramref name="height"/> pixels of the page laid out <paramref name="width"/> pixels wide.</summary>
    public static async Task ScreenshotAsync(string htmlFile, string pngFile, int width, int height)
    {
        File.Delete(pngFile);
        await RunAsync(htmlFile, [$"--window-size={width},{height}", "--hide-scrollbars", $"--screenshot={pngFile}"]);
        if (!File.Exists(pngFile))
            throw new InvalidOperationException($"Chromium wrote no screenshot to {pngFile}.");
    }

    private static async Task<(string Stdout, string Stderr)> RunAsync(string htmlFile, string[] action)
    {
        var executable = Executables.FirstOrDefault(File.Exists)
            ?? throw new InvalidOperationException("Chromium is not installed: apt-get install chromium (see .ci/run).");
        var profile = Directory.CreateTempSubdirectory("chromium-profile-");
        try
        {
            var start = new ProcessStartInfo(executable)
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            };
            foreach (var argument in new[]
                     {
                         "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-dev-shm-usage",
                         "--force-device-scale-factor=1", $"--user-data-dir={profile.FullName}",
                     }.Concat(action).Append(new Uri(htmlFile).AbsoluteUri))
                start.ArgumentList.Add(argument);
            using var process = Process.Start(start)!;
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
            await process.WaitForExitAsync(timeout.Token);
            if (process.ExitCode != 0)
                throw new InvalidOperationException($"Chromium exited with {process.ExitCode}: {await stderr}");
            return (await stdout, await stderr);
        }
        finally
        {
            profile.Delete(recursive: true);
        }
    }
}
