using System.Text.RegularExpressions;
using BatchScoring.IntegrationTests.Reports;

namespace BatchScoring.IntegrationTests.WebConsole;

/// <summary>
/// Every console page in Debian's headless Chromium at 1280 and 390 px: its content is there, nothing is logged to the
/// browser console (no script error, no failed load), and a PNG of each lands in <c>screenshots/</c> of the test output.
/// No page scrolls sideways at either width. The page of the running run and the runs list update themselves from their JSON twins.
/// </summary>
public class ConsoleBrowserTests(ConsoleEnvironment env) : IClassFixture<ConsoleEnvironment>
{
    public static TheoryData<string, int> Pages()
    {
        var data = new TheoryData<string, int>();
        foreach (var page in new[] { "runs", "failed-run", "drifted-run", "running-run", "jobs", "job", "models", "drift" })
        {
            foreach (var width in new[] { 1280, 390 })
                data.Add(page, width);
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Pages))]
    public async Task Each_page_renders_without_console_errors_at_desktop_and_phone_width(string page, int width)
    {
        var (path, expected) = Page(page);
        await using var console = await RunningConsole.StartAsync(env);
        var url = console.Address + path;
        var (dom, messages) = await HeadlessChromium.DumpDomAndConsoleAsync(url, width, 900, TimeSpan.FromSeconds(3));
        Assert.Contains(expected, dom);
        Assert.Contains("<nav>", dom);
        Assert.True(messages.Count == 0, $"{path} at {width} px logged to the console:\n{string.Join('\n', messages)}");

        var folder = Directory.CreateDirectory(Path.Combine(AppContext.BaseDirectory, "screenshots")).FullName;
        var png = Path.Combine(folder, $"console-{page}-{width}.png");
        await HeadlessChromium.ScreenshotAsync(url, png, width, 900);
        Assert.True(new FileInfo(png).Length > 1000, $"{png} is empty");
    }

    [Theory]
    [MemberData(nameof(Pages))]
    public async Task No_page_scrolls_sideways_at_desktop_or_phone_width(string page, int width)
    {
        var path = Page(page).Path;
        await using var console = await RunningConsole.StartAsync(env);
        var layout = (await ChromiumDevTools.EvaluateAsync(console.Address + path, width, 900,
            """
            JSON.stringify({ scroll: document.scrollingElement.scrollWidth, inner: innerWidth,
              wide: [...document.querySelectorAll('body *')].filter(e => !e.closest('.scroll') && e.getBoundingClientRect().right > innerWidth + 0.5)
                .slice(0, 5).map(e => e.tagName.toLowerCase() + (e.className ? '.' + e.className : '')) })
            """))!.GetValue<string>();
        using var json = System.Text.Json.JsonDocument.Parse(layout);
        Assert.Equal(width, json.RootElement.GetProperty("inner").GetInt32());
        Assert.True(json.RootElement.GetProperty("scroll").GetInt32() <= width, $"{path} at {width} px scrolls sideways: {layout}");
    }

    /// <summary>A page's path and a piece of HTML it must contain.</summary>
    private (string Path, string Expected) Page(string page) => page switch
    {
        "runs" => ("/", $">{env.FailedRun}</a>"),
        "failed-run" => ($"/runs/{env.FailedRun}", "Failed partitions"),
        "drifted-run" => ($"/runs/{env.DriftedRun}", "Drift report"),
        "running-run" => ($"/runs/{env.RunningRun}", "class=\"cell s-running\""),
        "jobs" => ("/jobs", "Europe/Berlin"),
        "job" => ($"/jobs/{ConsoleEnvironment.Job}", "Next fires"),
        "models" => ("/models", "binary classification"),
        _ => ($"/drift/{ConsoleEnvironment.Job}/age", "class=\"trend\""),
    };

    [Fact]
    public async Task The_page_of_a_running_run_updates_itself_from_its_json_twin()
    {
        await using var console = await RunningConsole.StartAsync(env);
        var (dom, messages) = await HeadlessChromium.DumpDomAndConsoleAsync(console.Address + $"/runs/{env.RunningRun}", 1280, 900, TimeSpan.FromSeconds(5));
        Assert.Empty(messages);
        Assert.Matches(new Regex(@"\(live, updated \d\d:\d\d:\d\dZ\)"), dom);
        Assert.Contains("<span data-field=\"partitions_done\">2 of 4</span>", dom);
        Assert.Contains("data-live=", dom);
    }

    [Fact]
    public async Task The_runs_list_updates_itself_while_a_listed_run_is_running()
    {
        await using var console = await RunningConsole.StartAsync(env);
        var (dom, messages) = await HeadlessChromium.DumpDomAndConsoleAsync(console.Address + "/", 1280, 900, TimeSpan.FromSeconds(5));
        Assert.Empty(messages);
        Assert.Matches(new Regex(@"\(live, updated \d\d:\d\d:\d\dZ\)"), dom);
        Assert.Matches(new Regex($"<tr data-run=\"{env.RunningRun}\">.*<span data-field=\"eta\">\\d\\d:\\d\\d:\\d\\d</span>"), dom);
    }
}
