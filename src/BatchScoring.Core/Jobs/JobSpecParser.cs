using Quartz;
using YamlDotNet.RepresentationModel;

namespace BatchScoring.Core.Jobs;

/// <summary>Turns the YAML tree of one job file into a <see cref="JobSpec"/>, collecting every error on the way.</summary>
internal sealed class JobSpecParser(YamlNodeReader reader, string filePath)
{
    private static readonly string[] SourceKinds = ["table", "query", "parquet"];

    private static readonly Dictionary<string, MisfirePolicy> MisfirePolicies = new()
    {
        ["fire-once-now"] = MisfirePolicy.FireOnceNow,
        ["skip"] = MisfirePolicy.Skip,
    };

    private static readonly Dictionary<string, OutputMode> OutputModes = new()
    {
        ["upsert"] = OutputMode.Upsert,
        ["append"] = OutputMode.Append,
    };

    private static readonly Dictionary<string, OutputReplace> OutputReplaces = new()
    {
        ["partition"] = OutputReplace.Partition,
        ["key"] = OutputReplace.Key,
        ["run"] = OutputReplace.Run,
    };

    public static readonly IReadOnlyDictionary<string, DriftMethod> DriftMethods = new Dictionary<string, DriftMethod>
    {
        ["auto"] = DriftMethod.Auto,
        ["ks"] = DriftMethod.KolmogorovSmirnov,
        ["wasserstein"] = DriftMethod.Wasserstein,
        ["psi"] = DriftMethod.Psi,
        ["jensen_shannon"] = DriftMethod.JensenShannon,
        ["chi_squared"] = DriftMethod.ChiSquared,
        ["l_infinity"] = DriftMethod.LInfinity,
        ["z_test"] = DriftMethod.ZTest,
    };

    /// <summary>The job, or null when the file has errors (they are in the reader).</summary>
    public JobSpec? Parse(YamlNode root)
    {
        var top = reader.Section(root, "");
        if (top is null)
            return null;

        var name = top.Required("name") is { } nameNode ? JobName(nameNode) : null;
        var description = top.ReadObject("description", reader.String) ?? "";
        var enabled = top.Read("enabled", reader.Bool, true);
        var schedule = top.ReadObject("schedule", Schedule);
        var source = top.Required("source") is { } sourceNode ? Source(sourceNode) : null;
        var window = top.ReadObject("window", Window) ?? WindowSpec.WholeSource;
        var partitioning = top.ReadObject("partitioning", Partitioning) ?? PartitioningSpec.Default;
        var model = top.Required("model") is { } modelNode ? Model(modelNode) : null;
        var features = top.ReadObject("features", Features) ?? new Dictionary<string, string>();
        var output = top.Required("output") is { } outputNode ? Output(outputNode) : null;
        if (output is { ReplaceIsDefault: true } && source is not null)
            output = output.WithDefaultReplace(source);
        var drift = top.ReadObject("drift", Drift) ?? DriftSpec.Default;
        var errors = top.ReadObject("errors", Errors) ?? ErrorPolicy.Default;
        var retries = top.ReadObject("retries", Retries) ?? RetryPolicy.Default;
        var timeout = top.Optional("timeout") is { } timeoutNode ? reader.Duration(timeoutNode, "timeout", allowZero: false) : null;
        var partitionTimeout = top.Read("partition_timeout", (n, p) => reader.Duration(n, p, allowZero: false), TimeSpan.FromMinutes(30));
        var concurrency = (int)top.Read("concurrency", (n, p) => reader.Integer(n, p, 0, 10_000), 0);

        if (model?.Challenger is not null && output is { Table: null, ShadowTable: null } && top.Optional("output") is { } outputOnly)
            reader.Error(outputOnly, "'model.challenger' needs 'output.table' or 'output.shadow_table': challenger scores go to a PostgreSQL table");
        if (window.Size is not null && source is not null && source.TimestampColumn is null && top.Optional("window") is { } windowNode)
            reader.Error(windowNode, "'window.size' needs 'source.timestamp_column': a window selects rows by their timestamp");
        if (window.Size is not null && output is { Replace: OutputReplace.Run, ReplaceIsDefault: false, Mode: OutputMode.Upsert } && top.Optional("window") is { } runWindowNode)
            reader.Error(runWindowNode, "'window' cannot be combined with 'output.replace: run': a run replaces the rows of the job's earlier runs, so it must score the whole source; use replace: partition for windowed jobs");

        if (reader.Errors.Count > 0 || name is null || source is null || model is null || output is null)
            return null;
        return new JobSpec
        {
            Name = name,
            Description = description,
            Enabled = enabled,
            FilePath = filePath,
            Schedule = schedule,
            Source = source,
            Window = window,
            Partitioning = partitioning,
            Model = model,
            FeatureMapping = features,
            Output = output,
            Drift = drift,
            Errors = errors,
            Retries = retries,
            Timeout = timeout,
            PartitionTimeout = partitionTimeout,
            Concurrency = concurrency,
        };
    }

    private string? JobName(YamlNode node)
    {
        var text = reader.String(node, "name");
        if (text is null)
            return null;
        if (JobNames.IsValid(text))
            return text;
        reader.Error(node, $"'name': '{text}' is not a valid job name: {JobNames.Rule}");
        return null;
    }

    private ScheduleSpec? Schedule(YamlNode node, string path)
    {
        var section = reader.Section(node, path);
        if (section is null)
            return null;
        var timeZone = "UTC";
        if (section.Optional("timezone") is { } zoneNode && reader.String(zoneNode, "schedule.timezone") is { } zoneText)
        {
            if (JobTimeZones.TryFind(zoneText, out _))
                timeZone = zoneText;
            else
                reader.Error(zoneNode, $"'schedule.timezone': unknown time zone '{zoneText}'; use an IANA name such as Europe/Berlin or UTC");
        }
        var misfire = section.Read("misfire", (n, p) => reader.Choice(n, p, MisfirePolicies), MisfirePolicy.FireOnceNow);
        if (section.Required("cron") is not { } cronNode || reader.String(cronNode, "schedule.cron") is not { } cron)
            return null;
        try
        {
            _ = new CronExpression(cron);
        }
        catch (FormatException e)
        {
            reader.Error(cronNode, $"'schedule.cron': invalid Quartz cron expression '{cron}': {e.Message} " +
                "(fields: second minute hour day-of-month month day-of-week [year], e.g. '0 0 2 * * ?')");
            return null;
        }
        return new ScheduleSpec(cron, timeZone, misfire);
    }

    private SourceSpec? Source(YamlNode node)
    {
        var section = reader.Section(node, "source");
        if (section is null)
            return null;
        var kinds = SourceKinds.Where(section.Has).ToList();
        if (kinds.Count != 1)
        {
            reader.Error(section.Node, kinds.Count == 0
                ? "'source' needs one of 'table', 'query' or 'parquet'"
                : $"'source' takes only one of 'table', 'query' or 'parquet', not {string.Join(" and ", kinds.Select(k => $"'{k}'"))}");
        }
        var keys = section.Required("key_columns") is { } keysNode ? reader.Columns(keysNode, "source.key_columns") : null;
        if (keys is { Count: 0 } && section.Optional("key_columns") is { } emptyKeys)
            reader.Error(emptyKeys, "'source.key_columns' needs at least one column");
        var timestamp = section.ReadObject("timestamp_column", reader.Column);
        if (kinds.Count != 1 || keys is not { Count: > 0 })
            return null;
        return kinds[0] switch
        {
            "table" => section.ReadObject("table", reader.Identifier) is { } table ? new PostgresTableSourceSpec(table, keys, timestamp) : null,
            "query" => section.ReadObject("query", Query) is { } query ? new PostgresQuerySourceSpec(query, keys, timestamp) : null,
            _ => section.ReadObject("parquet", reader.String) is { Length: > 0 } parquet ? new ParquetSourceSpec(parquet, keys, timestamp) : null,
        };
    }

    private string? Query(YamlNode node, string path)
    {
        var text = reader.String(node, path)?.Trim().TrimEnd(';');
        if (text is null)
            return null;
        var firstWord = text.Split((char[]?)null, 2, StringSplitOptions.RemoveEmptyEntries).FirstOrDefault() ?? "";
        if (firstWord.Equals("select", StringComparison.OrdinalIgnoreCase) || firstWord.Equals("with", StringComparison.OrdinalIgnoreCase))
            return text;
        reader.Error(node, $"'{path}' must be a SELECT (or WITH … SELECT) query; it runs in a read-only transaction");
        return null;
    }

    private WindowSpec? Window(YamlNode node, string path)
    {
        var section = reader.Section(node, path);
        if (section is null)
            return null;
        var size = section.Required("size") is { } sizeNode ? reader.Duration(sizeNode, "window.size", allowZero: false) : null;
        var lag = section.Read("lag", (n, p) => reader.Duration(n, p), TimeSpan.Zero);
        return size is null ? null : new WindowSpec(size, lag);
    }

    private PartitioningSpec? Partitioning(YamlNode node, string path)
    {
        var section = reader.Section(node, path);
        if (section is null)
            return null;
        var grain = PartitioningSpec.Default.Grain;
        if (section.Optional("grain") is { } grainNode)
        {
            grain = reader.String(grainNode, "partitioning.grain") == "none" ? null : reader.Duration(grainNode, "partitioning.grain", allowZero: false);
            if (grain is { } g && !IsWholeDaysOrDividesADay(g))
                reader.Error(grainNode, "'partitioning.grain' must divide a day (e.g. 15m, 1h, 6h) or be whole days (e.g. 1d, 7d), or be 'none'");
        }
        var buckets = (int)section.Read("buckets", (n, p) => reader.Integer(n, p, 1, 4096), PartitioningSpec.Default.Buckets);
        return new PartitioningSpec(grain, buckets);
    }

    /// <summary>Grains must tile local days exactly, so that windows and partitions line up across days.</summary>
    private static bool IsWholeDaysOrDividesADay(TimeSpan grain)
        => grain.Ticks % TimeSpan.TicksPerDay == 0 || TimeSpan.TicksPerDay % grain.Ticks == 0;

    private ModelSpec? Model(YamlNode node)
    {
        if (node is YamlScalarNode)
            return ModelReference(node, "model") is { } reference ? new ModelSpec(reference) : null;
        var section = reader.Section(node, "model");
        if (section is null)
            return null;
        if (section.Has("name") == section.Has("path"))
        {
            reader.Error(section.Node, "'model' needs exactly one of 'name' (a registry reference name@alias or name@version) or 'path' (a model file)");
            return null;
        }
        var challenger = section.ReadObject("challenger", ModelReference);
        var champion = section.Has("path")
            ? section.ReadObject("path", reader.String) is { Length: > 0 } path ? Jobs.ModelReference.File(path) : null
            : section.ReadObject("name", ModelReference);
        var inputs = section.ReadObject("inputs", ModelInputs);
        var positiveClass = section.Optional("positive_class") is { } classNode && reader.String(classNode, "model.positive_class") is { } className
            ? new LocatedName(className, reader.Location(classNode))
            : null;
        if (section.Has("challenger") && challenger is null || section.Has("inputs") && inputs is null)
            return null;
        return champion is null ? null : new ModelSpec(champion, challenger)
        {
            Inputs = inputs,
            InputsLocation = section.Optional("inputs") is { } inputsNode ? reader.Location(inputsNode) : null,
            PositiveClass = positiveClass,
        };
    }

    /// <summary><c>model.inputs</c>: a list of distinct source columns, each kept with its place in the file.</summary>
    private IReadOnlyList<LocatedName>? ModelInputs(YamlNode node, string path)
    {
        if (node is not YamlSequenceNode sequence || sequence.Children.Count == 0)
        {
            reader.Error(node, $"'{path}' must be a non-empty list of source columns, in the order of the model's features");
            return null;
        }
        var names = new List<LocatedName>();
        foreach (var item in sequence.Children)
        {
            if (reader.Column(item, path) is not { } column)
                continue;
            if (names.Any(n => n.Value == column))
                reader.Error(item, $"'{path}': column '{column}' is listed twice");
            else
                names.Add(new LocatedName(column, reader.Location(item)));
        }
        return names.Count == sequence.Children.Count ? names : null;
    }

    private ModelReference? ModelReference(YamlNode node, string path)
    {
        var text = reader.String(node, path);
        if (text is null)
            return null;
        if (Jobs.ModelReference.TryParse(text, out var reference, out var error))
            return reference;
        reader.Error(node, $"'{path}': {error}");
        return null;
    }

    private Dictionary<string, string>? Features(YamlNode node, string path)
    {
        var entries = reader.OpenMapping(node, path);
        if (entries is null)
            return null;
        var mapping = new Dictionary<string, string>();
        foreach (var (key, value) in entries)
        {
            if (reader.Column(value, $"{path}.{key.Value}") is { } column)
                mapping[key.Value ?? ""] = column;
        }
        return mapping;
    }

    private OutputSpec? Output(YamlNode node)
    {
        var section = reader.Section(node, "output");
        if (section is null)
            return null;
        if (!section.Has("table") && !section.Has("parquet_folder"))
        {
            reader.Error(section.Node, "'output' needs 'table' (a PostgreSQL table), 'parquet_folder', or both");
            return null;
        }
        var table = section.ReadObject("table", reader.Identifier);
        var mode = section.Read("mode", (n, p) => reader.Choice(n, p, OutputModes), OutputMode.Upsert);
        var replace = section.Read("replace", (n, p) => reader.Choice(n, p, OutputReplaces), OutputReplace.Partition);
        if (mode == OutputMode.Append && section.Optional("replace") is { } replaceNode)
            reader.Error(replaceNode, "'output.replace' applies to mode upsert; an append table keeps every run's rows (a retried partition replaces only its own)");
        var skipUnchanged = section.Read("skip_unchanged", reader.Bool, false);
        if (skipUnchanged && (mode != OutputMode.Upsert || !section.Has("table")))
            reader.Error(section.Optional("skip_unchanged")!,
                "'output.skip_unchanged' needs an upsert output table (output.table with mode upsert): it compares each row with the row of its key already in the table");
        else if (skipUnchanged && replace == OutputReplace.Run)
            reader.Error(section.Optional("skip_unchanged")!,
                "'output.skip_unchanged' cannot be combined with 'output.replace: run': each run writes a partition of its own, and the unchanged rows would be missing from it");
        else if (skipUnchanged && section.Has("parquet_folder"))
            reader.Error(section.Optional("skip_unchanged")!,
                "'output.skip_unchanged' cannot be combined with 'output.parquet_folder': a partition's file is rewritten whole, and the unchanged rows would be missing from it");
        var keys = section.ReadObject("key_columns", reader.Columns);
        var passthrough = section.ReadObject("passthrough", reader.Columns) ?? [];
        var shadow = section.ReadObject("shadow_table", reader.Identifier);
        var parquet = section.ReadObject("parquet_folder", reader.String);
        if (section.Has("table") && table is null || section.Has("parquet_folder") && parquet is null)
            return null;
        return new OutputSpec
        {
            Table = table,
            Mode = mode,
            Replace = replace,
            ReplaceIsDefault = !section.Has("replace"),
            SkipUnchanged = skipUnchanged,
            KeyColumns = keys,
            Passthrough = passthrough,
            ShadowTable = shadow,
            ParquetFolder = parquet,
        };
    }

    private DriftSpec? Drift(YamlNode node, string path)
    {
        var section = reader.Section(node, path);
        if (section is null)
            return null;
        var defaults = DriftSpec.Default;
        return new DriftSpec
        {
            Enabled = section.Read("enabled", reader.Bool, defaults.Enabled),
            Reference = section.ReadObject("reference", DriftReferenceOf) ?? defaults.Reference,
            PValueThreshold = section.Read("p_value", (n, p) => reader.Number(n, p, 0, 1), defaults.PValueThreshold),
            DistanceThreshold = section.Read("distance", (n, p) => reader.Number(n, p, 0, double.MaxValue), defaults.DistanceThreshold),
            PsiThreshold = section.Read("psi", (n, p) => reader.Number(n, p, 0, double.MaxValue), defaults.PsiThreshold),
            DriftedShareThreshold = section.Read("drifted_share", (n, p) => reader.Number(n, p, 0, 1), defaults.DriftedShareThreshold),
            Features = section.ReadObject("features", DriftFeatures) ?? defaults.Features,
        };
    }

    private DriftReference? DriftReferenceOf(YamlNode node, string path)
    {
        if (node is YamlScalarNode scalar)
        {
            if (scalar.Value == "model")
                return DriftReference.ModelProfile;
            reader.Error(node, $"'{path}' must be 'model', 'run: <run id>' or 'window: {{start, end}}', not '{scalar.Value}'");
            return null;
        }
        var section = reader.Section(node, path);
        if (section is null)
            return null;
        if (section.Has("run") == section.Has("window"))
        {
            reader.Error(section.Node, $"'{path}' needs exactly one of 'run' or 'window'");
            return null;
        }
        if (section.Optional("run") is { } runNode)
            return reader.Integer(runNode, $"{path}.run", 1) is { } runId ? new DriftReference { RunId = runId } : null;
        var window = reader.Section(section.Optional("window")!, $"{path}.window");
        if (window is null)
            return null;
        var start = window.Required("start") is { } startNode ? reader.Timestamp(startNode, $"{path}.window.start") : null;
        var end = window.Required("end") is { } endNode ? reader.Timestamp(endNode, $"{path}.window.end") : null;
        if (start is null || end is null)
            return null;
        if (end <= start)
        {
            reader.Error(window.Node, $"'{path}.window': 'end' must be after 'start'");
            return null;
        }
        return new DriftReference { WindowStart = start, WindowEnd = end };
    }

    private Dictionary<string, FeatureDriftOverride>? DriftFeatures(YamlNode node, string path)
    {
        var entries = reader.OpenMapping(node, path);
        if (entries is null)
            return null;
        var overrides = new Dictionary<string, FeatureDriftOverride>();
        foreach (var (key, value) in entries)
        {
            var featurePath = $"{path}.{key.Value}";
            var section = reader.Section(value, featurePath);
            if (section is null)
                continue;
            var method = section.Read("method", (n, p) => reader.Choice(n, p, DriftMethods), DriftMethod.Auto);
            var threshold = section.Optional("threshold") is { } thresholdNode ? reader.Number(thresholdNode, $"{featurePath}.threshold", 0, double.MaxValue) : null;
            overrides[key.Value ?? ""] = new FeatureDriftOverride(method, threshold);
        }
        return overrides;
    }

    private ErrorPolicy? Errors(YamlNode node, string path)
    {
        var section = reader.Section(node, path);
        if (section is null)
            return null;
        return new ErrorPolicy(
            section.Read("max_failed_rows", (n, p) => reader.Integer(n, p, 0), ErrorPolicy.Default.MaxFailedRows),
            section.Read("max_failed_percent", (n, p) => reader.Number(n, p, 0, 100), ErrorPolicy.Default.MaxFailedPercent));
    }

    private RetryPolicy? Retries(YamlNode node, string path)
    {
        var section = reader.Section(node, path);
        if (section is null)
            return null;
        var defaults = RetryPolicy.Default;
        return new RetryPolicy(
            (int)section.Read("max_attempts", (n, p) => reader.Integer(n, p, 1, 100), defaults.MaxAttempts),
            section.Read("backoff", (n, p) => reader.Duration(n, p), defaults.InitialBackoff),
            section.Read("jitter", (n, p) => reader.Number(n, p, 0, 1), defaults.Jitter),
            section.Read("max_backoff", (n, p) => reader.Duration(n, p), defaults.MaxBackoff));
    }
}
