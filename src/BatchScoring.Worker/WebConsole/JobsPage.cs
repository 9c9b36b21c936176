using System.Globalization;
using System.Text;
using BatchScoring.Core.Drift;
using BatchScoring.Core.Jobs;
using BatchScoring.Postgres.Drift;
using BatchScoring.Postgres.Ledger;
using BatchScoring.Worker.Cli;
using BatchScoring.Worker.Hosting;
using BatchScoring.Worker.Scheduling;
using Microsoft.Extensions.Options;
using static BatchScoring.Worker.WebConsole.ConsoleHtml;

namespace BatchScoring.Worker.WebConsole;

/// <summary>
/// <c>/jobs</c>, <c>/jobs/{name}</c> and their JSON twins: the job files of <c>Jobs:Directory</c> as the scheduler reads
/// them (next fires from the same Quartz schedule, the window each fire scores from <see cref="JobWindows"/>), every
/// error of an invalid file at its line:column, and the job's last runs and drift features. The files' YAML is not
/// shown, so nothing written in them beyond the fields below reaches the page.
/// </summary>
internal sealed class JobsPage(IOptions<JobsOptions> jobs, RunLedger ledger, RunBrowser browser, DriftTrendStore trends)
{
    private const int NextFires = 5;
    private const int LastRuns = 10;

    public sealed record Fire(DateTime AtUtc, string AtLocal, DateTime? WindowStart, DateTime? WindowEnd, string Window);

    public sealed record Detail(JobFileResult File, IReadOnlyList<Fire> Fires, IReadOnlyList<RunRecord> Runs, IReadOnlyList<DriftTrendPoint> Drift);

    public sealed record List(JobDirectoryResult Directory, IReadOnlyDictionary<string, RunRecord> LastRuns);

    public async Task<List> LoadAsync(CancellationToken cancellationToken)
        => new(JobSpecLoader.LoadDirectory(jobs.Value.Directory), await ledger.LatestByJobAsync(cancellationToken));

    /// <summary>The job's file (valid or not), or null when no file names the job.</summary>
    public async Task<Detail?> LoadAsync(string name, DateTime now, CancellationToken cancellationToken)
    {
        var file = JobSpecLoader.LoadDirectory(jobs.Value.Directory).Files.FirstOrDefault(f => (f.Job?.Name ?? f.Name) == name);
        if (file is null)
            return null;
        var runs = (await browser.PageAsync(new RunFilter(name, null, null, null, null), LastRuns, null, cancellationToken)).Runs;
        var drift = runs.Count == 0 ? [] : await trends.LoadAsync(runs[0].RunId, 1, cancellationToken);
        return new Detail(file, file.Job is { } job ? FiresOf(job, now) : [], runs, drift);
    }

    private static Fire[] FiresOf(JobSpec job, DateTime now)
    {
        if (!job.Enabled || job.Schedule is not { } schedule)
            return [];
        var time = JobTime.Of(job);
        return QuartzJobs.NextFireTimes(schedule, new DateTimeOffset(now, TimeSpan.Zero), NextFires).Select(fire =>
        {
            var window = JobWindows.ForFire(job, fire.UtcDateTime);
            return new Fire(fire.UtcDateTime, time.Local(fire.UtcDateTime), window?.StartUtc, window?.EndUtc, window is null ? "the whole source" : time.Describe(window));
        }).ToArray();
    }

    public static object Json(List list) => new
    {
        Jobs = list.Directory.Jobs.OrderBy(j => j.Name, StringComparer.Ordinal).Select(j => JobsCommands.Json(j, list.LastRuns.GetValueOrDefault(j.Name))),
        Invalid = list.Directory.Files.Where(f => !f.IsValid).Select(f => new { f.Name, File = f.FilePath, Errors = Errors(f) }),
    };

    public static object Json(Detail detail)
    {
        var job = detail.File.Job;
        return new
        {
            Name = job?.Name ?? detail.File.Name,
            File = detail.File.FilePath,
            Valid = detail.File.IsValid,
            Errors = Errors(detail.File),
            Job = job is null ? null : new
            {
                job.Description,
                job.Enabled,
                Schedule = job.Schedule is { } s ? new { s.Cron, s.TimeZone, Misfire = Misfire(s) } : null,
                Source = job.Source.ToString(),
                Output = job.Output.Destination,
                Model = job.Model.Champion.ToString(),
                Challenger = job.Model.Challenger?.ToString(),
                WindowSize = job.Window.Size?.ToString(),
                WindowLag = job.Window.Lag.ToString(),
                PartitionGrain = job.Partitioning.Grain?.ToString(),
                job.Partitioning.Buckets,
            },
            NextFires = detail.Fires,
            LastRuns = detail.Runs.Select(r => RunsJson.Run(r, null)),
            DriftFeatures = detail.Drift.Select(p => new { p.Feature, p.RunId, p.Drifted, Method = DriftNames.Of(p.Method), p.Statistic, p.PValue, p.Threshold }),
        };
    }

    public static string Html(List list)
    {
        var body = new StringBuilder();
        body.Append(Table(["job", "state", "schedule", "next fire", "last run", "file"],
            list.Directory.Files.OrderBy(f => f.Job?.Name ?? f.Name ?? f.FilePath, StringComparer.Ordinal).Select(f =>
            {
                var name = f.Job?.Name ?? f.Name;
                var last = name is null ? null : list.LastRuns.GetValueOrDefault(name);
                var next = f.Job is { Enabled: true, Schedule: { } s } job ? QuartzJobs.NextFireTimes(s, DateTimeOffset.UtcNow, 1).Select(t => JobTime.Of(job).Local(t.UtcDateTime)).FirstOrDefault() : null;
                return Row(name is null ? "" : JobLink(name), State(f), E(f.Job?.Schedule is { } sc ? $"{sc.Cron} ({sc.TimeZone})" : ""), E(next),
                    last is null ? "never" : $"{RunLink(last.RunId)} {Status(last.Status)}", $"<code>{E(f.FilePath)}</code>");
            }), "No job files in the jobs folder."));
        return Page("Jobs", body.ToString());
    }

    public static string Html(Detail detail)
    {
        var file = detail.File;
        var job = file.Job;
        var body = new StringBuilder();
        body.Append(Facts(
            ("file", $"<code>{E(file.FilePath)}</code>"),
            ("validation", State(file)),
            ("description", E(job?.Description)),
            ("schedule", E(job?.Schedule is { } s ? $"'{s.Cron}' in {s.TimeZone}, misfire {Misfire(s)}" : "none (run from the command line only)")),
            ("source", E(job?.Source.ToString())),
            ("model", E(job is null ? null : job.Model.Challenger is { } c ? $"{job.Model.Champion}, challenger {c} in shadow" : job.Model.Champion.ToString())),
            ("output", E(job?.Output.Destination)),
            ("window", E(job is null ? null : job.Window.Size is { } size ? $"{Span(size)}, ending {Span(job.Window.Lag)} before each fire" : "the whole source")),
            ("partitioning", E(job is null ? null : $"{(job.Partitioning.Grain is { } g ? $"time slices of {Span(g)}" : "no time slices")} × {job.Partitioning.Buckets} bucket(s)"))));
        if (!file.IsValid)
        {
            body.Append("<h2>Errors</h2><ul class=\"errors\">");
            foreach (var error in file.Errors)
                body.Append("<li>").Append(E(error.ToString())).Append("</li>");
            body.Append("</ul>");
        }
        if (job is not null)
        {
            body.Append("<h2>Next fires</h2>").Append(Table(["fire (job's zone)", "fire (UTC)", "window it scores"],
                detail.Fires.Select(f => Row(E(f.AtLocal), Time(f.AtUtc), E(f.Window))),
                job.Enabled ? "No schedule: this job runs from the command line only." : "Disabled: the scheduler does not fire it."));
        }
        body.Append("<h2>Last runs</h2>").Append(Table(["run", "trigger", "status", "started", "rows scored", "dead letters"],
            detail.Runs.Select(r => Row(RunLink(r.RunId), E(r.Trigger), Status(r.Status), Time(r.StartedAt ?? r.CreatedAt), E(r.RowsScored), E(r.RowsFailed))),
            "No runs yet."));
        if (detail.Drift.Count > 0)
        {
            var name = job?.Name ?? file.Name ?? "";
            body.Append("<h2>Drift by feature (latest analysed run)</h2>").Append(Table(["feature", "run", "method", "statistic", "p-value", "threshold", "verdict"],
                detail.Drift.Select(p => Row($"<a href=\"/drift/{Path(name)}/{Path(p.Feature)}\">{E(p.Feature)}</a>", RunLink(p.RunId), E(DriftNames.Of(p.Method)),
                    E(p.Statistic?.ToString("G4", CultureInfo.InvariantCulture)), E(p.PValue?.ToString("G4", CultureInfo.InvariantCulture)),
                    E(p.Threshold.ToString("G4", CultureInfo.InvariantCulture)), p.Drifted ? "<span class=\"drift\">drift</span>" : "<span class=\"ok\">no drift</span>"))));
        }
        return Page($"Job {job?.Name ?? file.Name}", body.ToString());
    }

    private static string State(JobFileResult file) => file.IsValid
        ? file.Job!.Enabled ? Status("valid") : Status("disabled")
        : $"<span class=\"status s-invalid\">{E($"invalid: {file.Errors.Count} error(s)")}</span> {E(file.Errors.Count > 0 ? file.Errors[0].ToString() : null)}";

    private static object[] Errors(JobFileResult file) => file.Errors.Select(e => (object)new { e.Line, e.Column, e.Message }).ToArray();

    /// <summary><c>7d</c>, <c>6h</c>, <c>90m</c>, <c>45s</c>, as job files write them.</summary>
    private static string Span(TimeSpan span) => span switch
    {
        { Ticks: 0 } => "0s",
        _ when span.Ticks % TimeSpan.TicksPerDay == 0 => $"{span.Ticks / TimeSpan.TicksPerDay}d",
        _ when span.Ticks % TimeSpan.TicksPerHour == 0 => $"{span.Ticks / TimeSpan.TicksPerHour}h",
        _ when span.Ticks % TimeSpan.TicksPerMinute == 0 => $"{span.Ticks / TimeSpan.TicksPerMinute}m",
        _ => $"{span.TotalSeconds:0.###}s",
    };

    private static string Misfire(ScheduleSpec s) => s.Misfire == MisfirePolicy.Skip ? "skip" : "fire-once-now";
}
