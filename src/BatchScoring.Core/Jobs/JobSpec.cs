using BatchScoring.Core.Sql;

namespace BatchScoring.Core.Jobs;

/// <summary>
/// A validated job, as read from one file in <c>jobs/</c>. Every section has defaults so that a
/// minimal file (name, source, model, output) is a complete job.
/// </summary>
public sealed record JobSpec
{
    public required string Name { get; init; }
    public string Description { get; init; } = "";
    public bool Enabled { get; init; } = true;
    /// <summary>The file the job came from, for messages.</summary>
    public required string FilePath { get; init; }

    /// <summary>When the job fires on its own; null for jobs run only from the command line.</summary>
    public ScheduleSpec? Schedule { get; init; }
    public required SourceSpec Source { get; init; }
    public WindowSpec Window { get; init; } = WindowSpec.WholeSource;
    public PartitioningSpec Partitioning { get; init; } = PartitioningSpec.Default;
    public required ModelSpec Model { get; init; }
    /// <summary>Model input name → source column name, for inputs whose names differ from the source's.</summary>
    public IReadOnlyDictionary<string, string> FeatureMapping { get; init; } = new Dictionary<string, string>();
    public required OutputSpec Output { get; init; }
    public DriftSpec Drift { get; init; } = DriftSpec.Default;
    public ErrorPolicy Errors { get; init; } = ErrorPolicy.Default;
    public RetryPolicy Retries { get; init; } = RetryPolicy.Default;
    /// <summary>Longest a whole run may take; null means no limit.</summary>
    public TimeSpan? Timeout { get; init; }
    /// <summary>Longest one partition attempt may take.</summary>
    public TimeSpan PartitionTimeout { get; init; } = TimeSpan.FromMinutes(30);
    /// <summary>Most partitions of this job scored at once across the cluster; 0 means no limit beyond the worker slots.</summary>
    public int Concurrency { get; init; }
}

public enum MisfirePolicy
{
    /// <summary>A missed fire runs once as soon as the scheduler notices.</summary>
    FireOnceNow,
    /// <summary>A missed fire is dropped; the next regular fire runs.</summary>
    Skip,
}

/// <summary>A Quartz cron expression evaluated in an IANA time zone.</summary>
public sealed record ScheduleSpec(string Cron, string TimeZone = "UTC", MisfirePolicy Misfire = MisfirePolicy.FireOnceNow);

/// <summary>Where rows come from. <see cref="TimestampColumn"/> is needed for windows and time partitions.</summary>
public abstract record SourceSpec(IReadOnlyList<string> KeyColumns, string? TimestampColumn);

public sealed record PostgresTableSourceSpec(SqlIdentifier Table, IReadOnlyList<string> KeyColumns, string? TimestampColumn = null)
    : SourceSpec(KeyColumns, TimestampColumn)
{
    public override string ToString() => Table.ToString();
}

/// <summary>A read-only SQL query, run in a READ ONLY transaction; partition predicates wrap it as a subquery.</summary>
public sealed record PostgresQuerySourceSpec(string Query, IReadOnlyList<string> KeyColumns, string? TimestampColumn = null)
    : SourceSpec(KeyColumns, TimestampColumn)
{
    public override string ToString() => "query";
}

/// <summary>A Parquet file, folder, glob, or Hive-style partitioned folder.</summary>
public sealed record ParquetSourceSpec(string Path, IReadOnlyList<string> KeyColumns, string? TimestampColumn = null)
    : SourceSpec(KeyColumns, TimestampColumn)
{
    public override string ToString() => Path;
}

/// <summary>
/// What a fire at time T scores: <c>[T − Lag − Size, T − Lag)</c>, aligned to the partition grain.
/// A null <see cref="Size"/> means the whole source, unwindowed.
/// </summary>
public sealed record WindowSpec(TimeSpan? Size, TimeSpan Lag)
{
    public static readonly WindowSpec WholeSource = new(null, TimeSpan.Zero);
}

/// <summary>A run is split into time slices of <see cref="Grain"/> × <see cref="Buckets"/> hash buckets of the key.</summary>
public sealed record PartitioningSpec(TimeSpan? Grain, int Buckets)
{
    public static readonly PartitioningSpec Default = new(TimeSpan.FromDays(1), 4);
}

/// <summary>
/// The model: a registry reference (<c>name@alias</c> or <c>name@version</c>) or, without the registry,
/// a file relative to <c>Models:Directory</c>. <see cref="Challenger"/> is scored in shadow.
/// </summary>
public sealed record ModelSpec(ModelReference Champion, ModelReference? Challenger = null)
{
    /// <summary>
    /// <c>model.inputs</c>: the source columns that feed a model's one <c>[N,F]</c> input (or its F named features), in the
    /// model's feature order; null when the model's own input names are the source's columns.
    /// </summary>
    public IReadOnlyList<LocatedName>? Inputs { get; init; }
    /// <summary>Where <c>model.inputs</c> is written, for a wrong length.</summary>
    public JobFileLocation? InputsLocation { get; init; }
    /// <summary><c>model.positive_class</c>: the class whose probability a binary classifier writes; null means the second class.</summary>
    public LocatedName? PositiveClass { get; init; }
}

/// <summary>A name from a job file and where it is written, so a check against a model or a source can point at it.</summary>
public sealed record LocatedName(string Value, JobFileLocation Location);

public sealed record ModelReference
{
    public string? Name { get; init; }
    public string? Alias { get; init; }
    public int? Version { get; init; }
    public string? Path { get; init; }

    public static ModelReference File(string path) => new() { Path = path };

    /// <summary>Parses <c>name@alias</c> or <c>name@version</c> (a bare name means <c>name@champion</c>).</summary>
    public static bool TryParse(string text, out ModelReference reference, out string error)
    {
        reference = null!;
        var parts = text.Split('@');
        if (parts.Length > 2 || parts[0].Length == 0 || (parts.Length == 2 && parts[1].Length == 0))
        {
            error = $"'{text}' is not name@alias or name@version";
            return false;
        }
        error = "";
        var qualifier = parts.Length == 2 ? parts[1] : "champion";
        reference = int.TryParse(qualifier, out var version)
            ? new ModelReference { Name = parts[0], Version = version }
            : new ModelReference { Name = parts[0], Alias = qualifier };
        return true;
    }

    public override string ToString() => Path ?? (Version is { } v ? $"{Name}@{v}" : $"{Name}@{Alias}");
}

public enum OutputMode
{
    /// <summary>One row per key: a re-score replaces the key's row.</summary>
    Upsert,
    /// <summary>Every run adds rows; a retried or re-run partition replaces its own earlier rows.</summary>
    Append,
}

/// <summary>How a re-run of an upsert job replaces the rows an earlier run wrote.</summary>
public enum OutputReplace
{
    /// <summary>
    /// Delete the rows this job wrote in the partition's key range and time slice, then COPY the new ones: as fast as
    /// a first write, and a key that left the source leaves the table with its partition.
    /// </summary>
    Partition,
    /// <summary>Upsert each key (<c>INSERT … ON CONFLICT DO UPDATE</c>): a key that left the source keeps its last row.</summary>
    Key,
    /// <summary>
    /// The table is partitioned by run (<c>LIST (run_id)</c>): each run COPYs into a new partition of its own, and a
    /// succeeded run detaches the partitions of the job's earlier runs, keeping the newest of them for
    /// <c>runs rollback</c>. A key that left the source leaves with its run.
    /// </summary>
    Run,
}

public sealed record OutputSpec
{
    /// <summary>The PostgreSQL output table; null when scores go only to <see cref="ParquetFolder"/>.</summary>
    public SqlIdentifier? Table { get; init; }
    public OutputMode Mode { get; init; } = OutputMode.Upsert;
    /// <summary>How an upsert re-run replaces the rows already there (<c>output.replace</c>; left out, see <see cref="WithDefaultReplace"/>).</summary>
    public OutputReplace Replace { get; init; } = OutputReplace.Partition;
    /// <summary>The job file leaves <c>output.replace</c> out: <see cref="Replace"/> is <see cref="WithDefaultReplace"/>'s choice.</summary>
    public bool ReplaceIsDefault { get; init; }
    /// <summary>Score and write only rows whose input fingerprint differs from their output row's (<c>output.skip_unchanged</c>).</summary>
    public bool SkipUnchanged { get; init; }
    /// <summary>Output key columns; defaults to the source's key columns.</summary>
    public IReadOnlyList<string>? KeyColumns { get; init; }
    /// <summary>Source columns copied unchanged into the output.</summary>
    public IReadOnlyList<string> Passthrough { get; init; } = [];
    /// <summary>Where challenger scores go; defaults to <c>&lt;table&gt;_shadow</c>.</summary>
    public SqlIdentifier? ShadowTable { get; init; }
    /// <summary>Write Parquet files, Hive-style by window, under this folder (as well as, or instead of, the table).</summary>
    public string? ParquetFolder { get; init; }

    /// <summary>Where scores go, for messages and summaries: the table, else the Parquet folder.</summary>
    public string Destination => Table?.ToString() ?? ParquetFolder ?? "";

    /// <summary>The destination and how it is written: <c>scored.churn (upsert, replace: run)</c>.</summary>
    public string Describe() => Table is null ? Destination
        : Mode == OutputMode.Append ? $"{Table} (append)"
        : $"{Table} (upsert, replace: {Replace.ToString().ToLowerInvariant()}{(ReplaceIsDefault ? ", the default" : "")})";

    /// <summary>
    /// The default of <c>output.replace</c>: <see cref="OutputReplace.Run"/> for an upsert table of a job that always scores
    /// its whole source (no <c>source.timestamp_column</c>, hence no window, <c>run --window</c> or backfill), under the
    /// source's key, without <c>skip_unchanged</c>; otherwise <see cref="OutputReplace.Partition"/>. An output table that
    /// already exists as one table keeps <c>partition</c> when the run starts.
    /// </summary>
    public OutputSpec WithDefaultReplace(SourceSpec source) => this with
    {
        Replace = Mode == OutputMode.Upsert && Table is not null && !SkipUnchanged && source.TimestampColumn is null
                  && (KeyColumns is null || KeyColumns.SequenceEqual(source.KeyColumns, StringComparer.Ordinal))
            ? OutputReplace.Run
            : OutputReplace.Partition,
    };
}

/// <summary>Where drift is compared against: the model's registered profile, an earlier run, or a window of the source.</summary>
public sealed record DriftReference
{
    public static readonly DriftReference ModelProfile = new();
    public long? RunId { get; init; }
    public DateTime? WindowStart { get; init; }
    public DateTime? WindowEnd { get; init; }
}

public enum DriftMethod
{
    Auto,
    KolmogorovSmirnov,
    Wasserstein,
    Psi,
    JensenShannon,
    ChiSquared,
    LInfinity,
    ZTest,
}

public sealed record FeatureDriftOverride(DriftMethod Method, double? Threshold);

public sealed record DriftSpec
{
    public static readonly DriftSpec Default = new();
    public bool Enabled { get; init; } = true;
    public DriftReference Reference { get; init; } = DriftReference.ModelProfile;
    /// <summary>Per-feature method and threshold overrides.</summary>
    public IReadOnlyDictionary<string, FeatureDriftOverride> Features { get; init; } = new Dictionary<string, FeatureDriftOverride>();
    public double PValueThreshold { get; init; } = 0.05;
    public double DistanceThreshold { get; init; } = 0.1;
    public double PsiThreshold { get; init; } = 0.2;
    /// <summary>The dataset is flagged when at least this share of features drifted.</summary>
    public double DriftedShareThreshold { get; init; } = 0.5;
}

/// <summary>How many rows of a partition may fail (go to dead letters) before the partition fails.</summary>
public sealed record ErrorPolicy(long MaxFailedRows, double MaxFailedPercent)
{
    public static readonly ErrorPolicy Default = new(1000, 1.0);

    /// <summary>Whether <paramref name="failedRows"/> of <paramref name="rowsRead"/> is more than the partition may lose.</summary>
    public bool IsExceeded(long failedRows, long rowsRead)
        => failedRows > MaxFailedRows || (rowsRead > 0 && 100.0 * failedRows / rowsRead > MaxFailedPercent);
}

/// <summary>Exponential backoff between attempts of a partition: min(Cap, Initial × 2^(attempt−1)) ± Jitter.</summary>
public sealed record RetryPolicy(int MaxAttempts, TimeSpan InitialBackoff, double Jitter, TimeSpan MaxBackoff)
{
    public static readonly RetryPolicy Default = new(3, TimeSpan.FromSeconds(5), 0.2, TimeSpan.FromMinutes(5));

    /// <summary>The wait after failed attempt number <paramref name="attempt"/> (1-based): capped exponential backoff with ± jitter.</summary>
    public TimeSpan DelayAfter(int attempt, Random random)
    {
        var exponential = InitialBackoff.TotalMilliseconds * Math.Pow(2, Math.Clamp(attempt - 1, 0, 30));
        var capped = Math.Min(exponential, MaxBackoff.TotalMilliseconds);
        var jittered = capped * (1 + Jitter * (2 * random.NextDouble() - 1));
        return TimeSpan.FromMilliseconds(Math.Clamp(jittered, 0, MaxBackoff.TotalMilliseconds));
    }
}
