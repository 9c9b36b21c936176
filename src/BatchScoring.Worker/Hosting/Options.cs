using System.ComponentModel.DataAnnotations;

namespace BatchScoring.Worker.Hosting;

internal sealed class WorkerOptions
{
    public const string Section = "Worker";

    /// <summary>Rows per columnar batch read from a source.</summary>
    [Range(64, 1_000_000)]
    public int BatchSize { get; set; } = 8192;

    /// <summary>
    /// Partitions this process reads and scores at once (one more may be merging and committing meanwhile); 0 means one
    /// per two cores, since each partition keeps about two busy (its read, score and write stages plus its server
    /// backend; docs/BENCHMARKS.md).
    /// </summary>
    [Range(0, 256)]
    public int Slots { get; set; }

    /// <summary>How long a claimed partition stays ours without a heartbeat; renewed every third of it.</summary>
    public TimeSpan LeaseDuration { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// After Ctrl+C or SIGTERM, how long the partitions that <c>run</c>, <c>backfill</c> or <c>retry</c> are scoring may
    /// take to commit before they are rolled back and marked cancelled.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "01:00:00", ErrorMessage = "Worker:ShutdownGrace must be between {1} and {2}.")]
    public TimeSpan ShutdownGrace { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>How often an idle worker looks for partitions to claim.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Batches buffered between the read, score and write stages of a partition.</summary>
    [Range(1, 64)]
    public int ChannelDepth { get; set; } = 2;

    /// <summary>The server's <c>temp_buffers</c> for this process's sessions, where partitions stage their rows; 0 keeps the server's setting.</summary>
    [Range(0, 16_384)]
    public int StagingTempBuffersMB { get; set; } = 128;

    /// <summary>COPY straight into append tables, into upsert tables that were empty when the run started, and (after a range delete) into upsert tables replaced by partition, instead of staging and merging.</summary>
    public bool DirectWrites { get; set; } = true;

    /// <summary>Threads that score the batches of one partition; 0 means the cores divided among the slots.</summary>
    [Range(0, 256)]
    public int ScoreThreads { get; set; }

    public int EffectiveSlots => Slots > 0 ? Slots : Math.Max(1, Environment.ProcessorCount / 2);

    public int EffectiveScoreThreads => ScoreThreads > 0 ? ScoreThreads : Math.Max(1, Environment.ProcessorCount / EffectiveSlots);
}

internal sealed class JobsOptions
{
    public const string Section = "Jobs";

    /// <summary>The folder of job files, relative to the working directory unless absolute.</summary>
    [Required]
    public string Directory { get; set; } = "jobs";
}

internal sealed class ModelsOptions
{
    public const string Section = "Models";

    /// <summary>The folder that model paths in job files are relative to.</summary>
    [Required]
    public string Directory { get; set; } = "models";

    /// <summary>The registry's model store: registered files are copied here as &lt;name&gt;/&lt;version&gt;/&lt;file&gt;.</summary>
    [Required]
    public string StoreDirectory { get; set; } = "models/store";

    /// <summary>Evaluate the trees of ML.NET tree-ensemble models, and of boosted tree ensembles in ONNX files, with BatchScoring's compiled evaluator (same results, less CPU).</summary>
    public bool CompileTreeEnsembles { get; set; } = true;
}

/// <summary>The embedded PostgreSQL cluster used when no connection string is configured.</summary>
internal sealed class LocalDatabaseOptions
{
    public const string Section = "LocalDatabase";

    [Required(ErrorMessage = "LocalDatabase:DataDirectory is required.")]
    public string DataDirectory { get; set; } = ".data/pg";

    [Range(1024, 65535, ErrorMessage = "LocalDatabase:Port must be between {1} and {2}.")]
    public int Port { get; set; } = 54329;
}

internal sealed class DemoOptions
{
    public const string Section = "Demo";

    /// <summary>Customer rows generated into <c>demo.customers</c>.</summary>
    [Range(1_000, 100_000_000)]
    public int Rows { get; set; } = 200_000;

    public int Seed { get; set; } = 42;

    /// <summary>Where the demo writes the drift report of its second run (relative to the folder of appsettings.json).</summary>
    [Required(ErrorMessage = "Demo:ReportDirectory is required.")]
    public string ReportDirectory { get; set; } = "reports";
}
