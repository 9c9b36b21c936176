using BatchScoring.Core.Drift;

namespace BatchScoring.Worker.Reports;

/// <summary>
/// The JSON of <c>report --format json</c>: what the HTML shows, field by field (documented in the README; keep it
/// stable). Serialized with snake_case names by <see cref="Cli.OutputFormat"/>.
/// </summary>
internal static class DriftReportJson
{
    /// <summary>The value of the first field, so that <c>report -o</c> knows a JSON file it may overwrite.</summary>
    public const string Generator = "batchscoring drift report";

    public static object Of(DriftReportDocument d)
    {
        var s = d.Report.Summary;
        return new
        {
            Generator,
            Run = new { d.RunId, d.JobName, WindowStart = Utc(d.WindowStart), WindowEnd = Utc(d.WindowEnd), AnalysedAt = Utc(d.AnalysedAt) },
            s.Reference,
            Dataset = new
            {
                s.ReferenceRows,
                s.CurrentRows,
                s.InputFeatures,
                s.DriftedInputFeatures,
                s.DriftedShare,
                s.ShareThreshold,
                s.DatasetDrift,
                s.FdrDrift,
                s.PredictionDrift,
            },
            Features = d.Report.BySeverity.Select(f => Feature(f, d)).ToArray(),
        };
    }

    private static object Feature(FeatureDrift f, DriftReportDocument d) => new
    {
        Name = f.Feature,
        Role = DriftNames.Of(f.Role),
        Kind = DriftNames.Of(f.Kind),
        Method = DriftNames.Of(f.Method),
        f.Statistic,
        f.StatisticBound,
        f.Threshold,
        ThresholdOn = f.IsPValueTest ? "p_value" : "statistic",
        f.PValue,
        FdrRejected = f.Role == FeatureRole.Input && f.PValue is not null ? f.FdrRejected : (bool?)null,
        f.Drifted,
        f.Severity,
        Reason = f.Drifted ? DriftReason.For(f) : null,
        f.ReferenceRows,
        f.CurrentRows,
        f.ReferenceSampleSize,
        f.CurrentSampleSize,
        f.ReferenceMissingRate,
        f.CurrentMissingRate,
        Bins = f.Bins.Select(b => new { b.Bin, b.Reference, b.Current }).ToArray(),
        NewCategories = f.NewCategories.Select(c => new { Category = c.Bin, c.Current }).ToArray(),
        Statistics = f.Statistics,
        Trend = d.TrendOf(f.Feature).Select(p => new
        {
            p.RunId,
            WindowStart = Utc(p.WindowStart),
            WindowEnd = Utc(p.WindowEnd),
            RunCreatedAt = Utc(p.RunCreatedAt),
            Method = DriftNames.Of(p.Method),
            p.Statistic,
            p.PValue,
            p.Threshold,
            p.Drifted,
            ThisRun = p.RunId == d.RunId,
        }).ToArray(),
    };

    private static DateTime? Utc(DateTime? value) => value is { } v ? DateTime.SpecifyKind(v.ToUniversalTime(), DateTimeKind.Utc) : null;
}
