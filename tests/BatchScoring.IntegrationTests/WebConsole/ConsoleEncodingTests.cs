namespace BatchScoring.IntegrationTests.WebConsole;

/// <summary>
/// A <c>&lt;script&gt;</c> planted in a job description, a partition's error and a category name reaches every page
/// that shows it encoded, never as markup.
/// </summary>
public class ConsoleEncodingTests(ConsoleEnvironment env) : IClassFixture<ConsoleEnvironment>
{
    private const string Encoded = "&lt;script&gt;alert(1)&lt;/script&gt;";

    [Fact]
    public async Task Planted_script_tags_are_encoded_on_every_page_that_shows_them()
    {
        await using var console = await RunningConsole.StartAsync(env);
        var shown = new Dictionary<string, string>
        {
            ["/jobs/" + ConsoleEnvironment.Job] = "the job description",
            ["/"] = "the first error",
            [$"/runs/{env.FailedRun}"] = "the partition error",
            [$"/runs/{env.FailedRun}?page=1"] = "the partition list",
            [$"/runs/{env.DriftedRun}/report"] = "the new category",
        };
        foreach (var (path, what) in shown)
        {
            var page = await console.OkAsync(path);
            Assert.True(page.Contains(Encoded, StringComparison.Ordinal) || page.Contains("&lt;script&gt;", StringComparison.Ordinal), $"{path} does not show {what} encoded");
            Assert.DoesNotContain(ConsoleEnvironment.Planted, page, StringComparison.OrdinalIgnoreCase);
        }
        foreach (var path in new[] { "/jobs", "/models", $"/runs/{env.DriftedRun}", $"/drift/{ConsoleEnvironment.Job}/plan" })
            Assert.DoesNotContain("<script>alert", await console.OkAsync(path), StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Pages_forbid_scripts_and_loads_from_elsewhere()
    {
        await using var console = await RunningConsole.StartAsync(env);
        using var http = new HttpClient();
        using var response = await http.GetAsync(console.Address + "/jobs");
        Assert.Equal("default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; frame-ancestors 'self'; form-action 'self'",
            string.Join(";", response.Headers.GetValues("Content-Security-Policy")));
        Assert.Equal("nosniff", string.Join(",", response.Headers.GetValues("X-Content-Type-Options")));
    }

    [Fact]
    public async Task A_script_in_a_url_segment_comes_back_as_text_only()
    {
        await using var console = await RunningConsole.StartAsync(env);
        var (_, body, type) = await console.GetAsync("/jobs/%3Cscript%3Ealert(1)%3C%2Fscript%3E");
        Assert.Equal("text/plain", type);
        Assert.Contains("No job file", body);
        var (_, filtered, _) = await console.GetAsync("/?job=%3Cscript%3Ealert(1)%3C%2Fscript%3E");
        Assert.Contains("value=\"" + Encoded + "\"", filtered);
        Assert.DoesNotContain(ConsoleEnvironment.Planted, filtered, StringComparison.Ordinal);
    }
}
