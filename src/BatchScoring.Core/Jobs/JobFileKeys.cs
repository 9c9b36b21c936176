namespace BatchScoring.Core.Jobs;

/// <summary>
/// Every key a job file may hold, by section path (<c>""</c> is the top level, <c>*</c> stands for a
/// name the user chooses). The parser refuses any other key, and a test checks that
/// <c>jobs/job.schema.json</c> names exactly these.
/// </summary>
public static class JobFileKeys
{
    public const string AnyName = "*";

    public static readonly IReadOnlyDictionary<string, IReadOnlyList<string>> Sections = new Dictionary<string, IReadOnlyList<string>>
    {
        [""] =
        [
            "name", "description", "enabled", "schedule", "source", "window", "partitioning", "model", "features",
            "output", "drift", "errors", "retries", "timeout", "partition_timeout", "concurrency",
        ],
        ["schedule"] = ["cron", "timezone", "misfire"],
        ["source"] = ["table", "query", "parquet", "key_columns", "timestamp_column"],
        ["window"] = ["size", "lag"],
        ["partitioning"] = ["grain", "buckets"],
        ["model"] = ["name", "challenger", "path", "inputs", "positive_class"],
        ["output"] = ["table", "mode", "replace", "skip_unchanged", "key_columns", "passthrough", "shadow_table", "parquet_folder"],
        ["drift"] = ["enabled", "reference", "p_value", "distance", "psi", "drifted_share", "features"],
        ["drift.reference"] = ["run", "window"],
        ["drift.reference.window"] = ["start", "end"],
        ["drift.features.*"] = ["method", "threshold"],
        ["errors"] = ["max_failed_rows", "max_failed_percent"],
        ["retries"] = ["max_attempts", "backoff", "jitter", "max_backoff"],
    };
}
