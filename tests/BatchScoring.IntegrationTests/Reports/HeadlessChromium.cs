using System.Diagnostics;

namespace BatchScoring.IntegrationTests.Reports;

/// <summary>Loads a local file in Debian's headless Chromium (installed by .ci/run) and returns the DOM it built.</summary>
internal static class HeadlessChromium
{
    private static readonly string[] Executables = ["/usr/bin/chromium", "/usr/bin/chromium-browser"];

    public static async Task<string> DumpDomAsync(string htmlFile)
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
                         $"--user-data-dir={profile.FullName}", "--dump-dom", new Uri(htmlFile).AbsoluteUri,
                     })
                start.ArgumentList.Add(argument);
            using var process = Process.Start(start)!;
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
            await process.WaitForExitAsync(timeout.Token);
            if (process.ExitCode != 0)
                throw new InvalidOperationException($"Chromium exited with {process.ExitCode}: {await stderr}");
            return await stdout;
        }
        finally
        {
            profile.Delete(recursive: true);
        }
    }
}
