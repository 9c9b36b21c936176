using System.Globalization;
using BatchScoring.Core.Errors;
using BatchScoring.Worker.Cli;
using BatchScoring.Worker.Observability;
using BatchScoring.Worker.Reports;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace BatchScoring.Worker.WebConsole;

/// <summary>
/// The console's URLs, GET only: each page and its JSON twin under <c>/api/</c>, the run's drift report and the
/// embedded assets, behind <see cref="ConsoleAuthFilter"/>. Bad query values are 400 and unknown runs, jobs and
/// features 404, each with one line saying what is wrong.
/// </summary>
internal sealed class ConsoleRoutes(
    RunsPage runs, RunPage run, JobsPage jobs, ModelsPage models, DriftPage drift, IServiceProvider services,
    ConsoleAuthFilter auth, IOptions<ConsoleOptions> options, IOptions<ObservabilityOptions> observability, TimeProvider clock, ILogger<ConsoleRoutes> logger)
{
    private const string HtmlType = "text/html; charset=utf-8";
    private const string ContentSecurityPolicy = "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; frame-ancestors 'self'; form-action 'self'";

    /// <summary>
    /// Maps the console on the observability host unless it is turned off or has an address of its own. On a listener
    /// that is not loopback (<c>http://+:9464</c> in the image) it is mapped only with <c>Console:Auth</c> set: /metrics
    /// being reachable must not make the console reachable to anyone.
    /// </summary>
    public void MapOnObservabilityHost(IEndpointRouteBuilder app)
    {
        var settings = options.Value;
        if (!settings.Enabled || settings.Address.Length > 0)
            return;
        if (settings.Auth == ConsoleAuth.None && !ConsoleOptions.IsLoopback(observability.Value.MetricsAddress))
        {
            logger.LogWarning(
                "The web console is not served on Observability:MetricsAddress={MetricsAddress}: that address is not loopback and Console:Auth is None (set Console:Auth, or Console:Address to a loopback address)",
                observability.Value.MetricsAddress);
            return;
        }
        Map(app);
    }

    public void Map(IEndpointRouteBuilder app)
    {
        var console = app.MapGroup("").AddEndpointFilter(auth).AddEndpointFilter((context, next) =>
        {
            // Defence in depth behind the encoding: only the console's own script runs, and nothing is loaded from elsewhere.
            var headers = context.HttpContext.Response.Headers;
            headers.ContentSecurityPolicy = ContentSecurityPolicy;
            headers.XContentTypeOptions = "nosniff";
            return next(context);
        });
        console.MapGet("/", (HttpRequest request, CancellationToken ct) => Answer(async () =>
        {
            var view = await runs.LoadAsync(request.Query, ct);
            return Results.Content(RunsPage.Html(view), HtmlType);
        }));
        console.MapGet("/api/runs", (HttpRequest request, CancellationToken ct) => Answer(async () => Json(RunsPage.Json(await runs.LoadAsync(request.Query, ct)))));
        console.MapGet("/runs/{id:long}", (long id, int? page, CancellationToken ct) => Answer(async () =>
            await run.LoadAsync(id, clock.GetUtcNow().UtcDateTime, ct) is { } view ? Results.Content(RunPage.Html(view, page ?? 1), HtmlType) : NoRun(id)));
        console.MapGet("/api/runs/{id:long}", (long id, string? partitions, string? since, CancellationToken ct) => Answer(async () =>
        {
            var from = RunPage.Since(partitions, since);
            return await run.LoadAsync(id, clock.GetUtcNow().UtcDateTime, ct) is { } view ? Json(RunPage.Json(view, from)) : NoRun(id);
        }));
        console.MapGet("/runs/{id:long}/report", (long id, CancellationToken ct) => Answer(async () =>
            Results.Content(DriftReportHtml.Render(await DriftReportDocument.LoadAsync(services, id, ct)), HtmlType), StatusCodes.Status404NotFound));
        console.MapGet("/jobs", (CancellationToken ct) => Answer(async () => Results.Content(JobsPage.Html(await jobs.LoadAsync(ct)), HtmlType)));
        console.MapGet("/api/jobs", (CancellationToken ct) => Answer(async () => Json(JobsPage.Json(await jobs.LoadAsync(ct)))));
        console.MapGet("/jobs/{name}", (string name, CancellationToken ct) => Answer(async () =>
            await jobs.LoadAsync(name, clock.GetUtcNow().UtcDateTime, ct) is { } view ? Results.Content(JobsPage.Html(view), HtmlType) : NoJob(name)));
        console.MapGet("/api/jobs/{name}", (string name, CancellationToken ct) => Answer(async () =>
            await jobs.LoadAsync(name, clock.GetUtcNow().UtcDateTime, ct) is { } view ? Json(JobsPage.Json(view)) : NoJob(name)));
        console.MapGet("/models", (CancellationToken ct) => Answer(async () => Results.Content(ModelsPage.Html(await models.LoadAsync(ct)), HtmlType)));
        console.MapGet("/api/models", (CancellationToken ct) => Answer(async () => Json(ModelsPage.Json(await models.LoadAsync(ct)))));
        console.MapGet("/drift/{job}/{feature}", (string job, string feature, CancellationToken ct) => Answer(async () =>
            await drift.LoadAsync(job, feature, ct) is { } view ? Results.Content(DriftPage.Html(view), HtmlType) : NoDrift(job, feature)));
        console.MapGet("/api/drift/{job}/{feature}", (string job, string feature, CancellationToken ct) => Answer(async () =>
            await drift.LoadAsync(job, feature, ct) is { } view ? Json(DriftPage.Json(view)) : NoDrift(job, feature)));
        console.MapGet(ConsoleAssets.CssPath, () => Results.Text(ConsoleAssets.Css, "text/css; charset=utf-8"));
        console.MapGet(ConsoleAssets.JsPath, () => Results.Text(ConsoleAssets.Js, "text/javascript; charset=utf-8"));
    }

    /// <param name="refusal">The status of a <see cref="BatchScoringException"/>: a bad query value, or (the report) a run without one.</param>
    private static async Task<IResult> Answer(Func<Task<IResult>> page, int refusal = StatusCodes.Status400BadRequest)
    {
        try
        {
            return await page();
        }
        catch (BatchScoringException e)
        {
            return Results.Text(e.Message + "\n", "text/plain; charset=utf-8", statusCode: refusal);
        }
    }

    private static IResult Json<T>(T value) => Results.Text(OutputFormat.Serialize(value), "application/json; charset=utf-8");

    private static IResult NoRun(long id) => NotFound(string.Create(CultureInfo.InvariantCulture, $"There is no run {id}."));

    private static IResult NoJob(string name) => NotFound($"No job file in the jobs folder defines a job '{name}'.");

    private static IResult NoDrift(string job, string feature) => NotFound($"Job '{job}' has no analysed run with a feature '{feature}'.");

    private static IResult NotFound(string message) => Results.Text(message + "\n", "text/plain; charset=utf-8", statusCode: StatusCodes.Status404NotFound);
}
