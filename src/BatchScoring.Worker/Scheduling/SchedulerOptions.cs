using System.ComponentModel.DataAnnotations;

namespace BatchScoring.Worker.Scheduling;

/// <summary>The <c>Scheduler</c> section: how the <c>worker</c> verb fires the jobs of <c>jobs/</c>.</summary>
internal sealed class SchedulerOptions
{
    public const string Section = "Scheduler";

    /// <summary>Quartz's ADO job store on PostgreSQL, so that each fire happens once across all worker processes.</summary>
    public bool Clustered { get; set; }

    /// <summary>How often the job folder is checked for added, edited and removed files.</summary>
    [Range(typeof(TimeSpan), "00:00:00.050", "01:00:00", ErrorMessage = "Scheduler:ReloadInterval must be between {1} and {2}.")]
    public TimeSpan ReloadInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>The scheduler's name; every process of one cluster must use the same.</summary>
    [Required(ErrorMessage = "Scheduler:Name is required.")]
    public string Name { get; set; } = "batchscoring";

    /// <summary>How often a clustered process checks in, and how soon others take over its triggers when it stops checking in.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:10:00", ErrorMessage = "Scheduler:ClusterCheckinInterval must be between {1} and {2}.")]
    public TimeSpan ClusterCheckinInterval { get; set; } = TimeSpan.FromSeconds(7.5);
}
