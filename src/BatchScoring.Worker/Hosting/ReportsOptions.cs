using System.ComponentModel.DataAnnotations;

namespace BatchScoring.Worker.Hosting;

/// <summary>What a drift report (<c>report</c>, <c>demo</c>) shows.</summary>
internal sealed class ReportsOptions
{
    public const string Section = "Reports";

    public const int DefaultTrendRuns = 10;

    /// <summary>The analysed runs of the job, up to the reported one, that each feature's trend shows.</summary>
    [Range(1, 1000, ErrorMessage = "Reports:TrendRuns must be between {1} and {2}.")]
    public int TrendRuns { get; set; } = DefaultTrendRuns;
}
