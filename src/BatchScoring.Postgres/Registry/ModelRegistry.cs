using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using BatchScoring.Core.Errors;
using BatchScoring.Core.Jobs;
using BatchScoring.Core.Models;
using Dapper;
using Npgsql;

namespace BatchScoring.Postgres.Registry;

/// <summary>
/// The model registry: <c>scoring.models</c> (one row per name and version) and
/// <c>scoring.model_aliases</c> (champion, challenger or any word → one version). Registering copies
/// the file into the model store as <c>&lt;store&gt;/&lt;name&gt;/&lt;version&gt;/&lt;file&gt;</c> and records its
/// SHA-256; the stored path is relative to the store, so every worker finds it under its own store folder.
/// </summary>
public sealed class ModelRegistry(NpgsqlDataSource dataSource, string storeDirectory)
{
    private const string SelectModels = """
        SELECT m.model_id AS ModelId, m.name AS Name, m.version AS Version, m.format AS Format, m.file_path AS FilePath,
               m.sha256 AS Sha256, m.metrics::text AS MetricsJson, m.reference_profile IS NOT NULL AS HasReferenceProfile,
               m.created_at AS CreatedAt,
               coalesce(array_agg(a.alias ORDER BY a.alias) FILTER (WHERE a.alias IS NOT NULL), '{}') AS Aliases
        FROM scoring.models m
        LEFT JOIN scoring.model_aliases a ON a.model_name = m.name AND a.version = m.version
        """;

    private const string GroupAndOrder = " GROUP BY m.model_id ORDER BY m.name, m.version";

    public string StoreDirectory { get; } = Path.GetFullPath(storeDirectory);

    /// <summary>
    /// Copies <paramref name="file"/> into the store as the next version of <paramref name="name"/>, records
    /// it with its SHA-256, format (from the extension) and metrics (a JSON object), and points the aliases at it.
    /// </summary>
    public Task<ModelRecord> RegisterAsync(
        string name, string file, IReadOnlyList<string> aliases, string? metricsJson, CancellationToken cancellationToken)
        => RegisterAsync(name, file, aliases, metricsJson, null, cancellationToken);

    /// <param name="descriptionJson">What the model was found to be when it was checked (format, task, inputs, outputs…), stored in <c>description</c>.</param>
    public Task<ModelRecord> RegisterAsync(
        string name, string file, IReadOnlyList<string> aliases, string? metricsJson, string? descriptionJson, CancellationToken cancellationToken)
        => DatabaseCalls.RunAsync<ModelRecord>(async () =>
    {
        CheckName(name);
        foreach (var alias in aliases)
            CheckAlias(alias);
        var metrics = NormalizeMetrics(metricsJson);
        var source = Path.GetFullPath(file);
        if (!File.Exists(source))
            throw new BatchScoringException($"Model file {source} does not exist.");
        var format = ModelFormats.FromPath(source);

        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        // Two registrations of one name at once must not both take the same next version.
        await connection.ExecuteAsync(new CommandDefinition(
            "SELECT pg_advisory_xact_lock(hashtextextended('scoring.models/' || @name, 0))", new { name }, transaction, cancellationToken: cancellationToken));
        var version = await connection.ExecuteScalarAsync<int>(new CommandDefinition(
            "SELECT coalesce(max(version), 0) + 1 FROM scoring.models WHERE name = @name", new { name }, transaction, cancellationToken: cancellationToken));

        var relativePath = Path.Combine(name, version.ToString(CultureInfo.InvariantCulture), Path.GetFileName(source));
        var stored = Path.Combine(StoreDirectory, relativePath);
        var sha256 = await CopyAsync(source, stored, cancellationToken);
        try
        {
            await connection.ExecuteAsync(new CommandDefinition(
                """
                INSERT INTO scoring.models (name, version, format, file_path, sha256, metrics, description)
                VALUES (@name, @version, @format, @relativePath, @sha256, @metrics::jsonb, @descriptionJson::jsonb)
                """, new { name, version, format = format.StoredName(), relativePath, sha256, metrics, descriptionJson }, transaction, cancellationToken: cancellationToken));
            foreach (var alias in aliases)
                await UpsertAliasAsync(connection, transaction, name, alias, version, cancellationToken);
            await transaction.CommitAsync(cancellationToken);
        }
        catch
        {
            File.Delete(stored);
            throw;
        }
        return await GetAsync(name, version, cancellationToken)
            ?? throw new InvalidOperationException($"Model {name}@{version} vanished right after it was registered.");
    });

    /// <summary>Every registered version, by name and version; only those of <paramref name="name"/> when given.</summary>
    public Task<IReadOnlyList<ModelRecord>> ListAsync(string? name, CancellationToken cancellationToken) => DatabaseCalls.RunAsync<IReadOnlyList<ModelRecord>>(async () =>
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<ModelRow>(new CommandDefinition(
            SelectModels + (name is null ? "" : " WHERE m.name = @name") + GroupAndOrder, new { name }, cancellationToken: cancellationToken));
        return rows.Select(ToRecord).ToArray();
    });

    public Task<ModelRecord?> GetAsync(string name, int version, CancellationToken cancellationToken) => DatabaseCalls.RunAsync<ModelRecord?>(async () =>
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var row = await connection.QuerySingleOrDefaultAsync<ModelRow>(new CommandDefinition(
            SelectModels + " WHERE m.name = @name AND m.version = @version" + GroupAndOrder, new { name, version }, cancellationToken: cancellationToken));
        return row is null ? null : ToRecord(row);
    });

    /// <summary>Points <paramref name="alias"/> of <paramref name="name"/> at <paramref name="version"/>; returns the version it pointed at before, if any.</summary>
    public Task<int?> SetAliasAsync(string name, int version, string alias, CancellationToken cancellationToken) => DatabaseCalls.RunAsync<int?>(async () =>
    {
        CheckAlias(alias);
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var versions = (await connection.QueryAsync<int>(new CommandDefinition(
            "SELECT version FROM scoring.models WHERE name = @name ORDER BY version", new { name }, transaction, cancellationToken: cancellationToken))).ToArray();
        if (versions.Length == 0)
            throw new BatchScoringException($"No model named '{name}' is registered.");
        if (!versions.Contains(version))
            throw new BatchScoringException($"Model '{name}' has no version {version}; its versions are {string.Join(", ", versions)}.");
        var previous = await connection.ExecuteScalarAsync<int?>(new CommandDefinition(
            "SELECT version FROM scoring.model_aliases WHERE model_name = @name AND alias = @alias FOR UPDATE",
            new { name, alias }, transaction, cancellationToken: cancellationToken));
        await UpsertAliasAsync(connection, transaction, name, alias, version, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return previous;
    });

    /// <summary>The registered version a job's <c>name@alias</c> or <c>name@version</c> means right now.</summary>
    public Task<ModelRecord> ResolveAsync(ModelReference reference, CancellationToken cancellationToken) => DatabaseCalls.RunAsync<ModelRecord>(async () =>
    {
        if (reference.Name is not { } name)
            throw new ArgumentException($"'{reference}' is a model file, not a registry reference.", nameof(reference));
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        int? version = reference.Version;
        if (version is null)
        {
            version = await connection.ExecuteScalarAsync<int?>(new CommandDefinition(
                "SELECT version FROM scoring.model_aliases WHERE model_name = @name AND alias = @alias",
                new { name, alias = reference.Alias }, cancellationToken: cancellationToken));
        }
        var record = version is null ? null : await GetAsync(name, version.Value, cancellationToken);
        if (record is not null)
            return record;

        var known = await ListAsync(name, cancellationToken);
        if (known.Count == 0)
            throw new BatchScoringException($"Model '{reference}': no model named '{name}' is registered (see `batchscoring models list`).");
        if (reference.Version is { } missing)
            throw new BatchScoringException($"Model '{reference}': '{name}' has no version {missing}; its versions are {string.Join(", ", known.Select(k => k.Version))}.");
        var aliases = known.SelectMany(k => k.Aliases.Select(a => $"{a} → {k.Version}")).ToArray();
        throw new BatchScoringException(
            $"Model '{reference}': '{name}' has no alias '{reference.Alias}'; its aliases are {(aliases.Length == 0 ? "none" : string.Join(", ", aliases))}. " +
            $"Set one with `batchscoring models alias {name} <version> {reference.Alias}`.");
    });

    private static Task<int> UpsertAliasAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, string name, string alias, int version, CancellationToken cancellationToken)
        => connection.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO scoring.model_aliases (model_name, alias, version) VALUES (@name, @alias, @version)
            ON CONFLICT (model_name, alias) DO UPDATE SET version = EXCLUDED.version, updated_at = now()
            """, new { name, alias, version }, transaction, cancellationToken: cancellationToken));

    /// <summary>Copies through a temporary file and returns the SHA-256 of what was written.</summary>
    private static async Task<string> CopyAsync(string source, string target, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(target)!);
        var temporary = target + ".tmp";
        await using (var input = File.OpenRead(source))
        await using (var output = File.Create(temporary))
            await input.CopyToAsync(output, cancellationToken);
        string sha256;
        await using (var written = File.OpenRead(temporary))
            sha256 = Convert.ToHexStringLower(await SHA256.HashDataAsync(written, cancellationToken));
        File.Move(temporary, target, overwrite: true);
        return sha256;
    }

    private static string NormalizeMetrics(string? json)
    {
        if (string.IsNullOrWhiteSpace(json))
            return "{}";
        try
        {
            using var document = JsonDocument.Parse(json);
            if (document.RootElement.ValueKind != JsonValueKind.Object)
                throw new BatchScoringException($"Metrics must be a JSON object such as {{\"auc\": 0.91}}, not a {document.RootElement.ValueKind}.");
            return document.RootElement.GetRawText();
        }
        catch (JsonException e)
        {
            throw new BatchScoringException($"Metrics are not valid JSON: {e.Message}");
        }
    }

    private static void CheckName(string name)
    {
        if (!ModelNames.IsValidName(name))
            throw new BatchScoringException(
                $"Invalid model name '{name}': use letters, digits, '.', '_' and '-', starting with a letter or digit (at most 100).");
    }

    private static void CheckAlias(string alias)
    {
        if (!ModelNames.IsValidAlias(alias))
            throw new BatchScoringException(
                $"Invalid alias '{alias}': use a word of letters, digits, '_' and '-' that does not start with a digit (e.g. champion, challenger).");
    }

    private ModelRecord ToRecord(ModelRow row) => new(
        row.ModelId, row.Name, row.Version, ModelFormats.FromStoredName(row.Format), Path.GetFullPath(Path.Combine(StoreDirectory, row.FilePath)),
        row.Sha256, row.MetricsJson, row.HasReferenceProfile, row.CreatedAt, row.Aliases);

    private sealed class ModelRow
    {
        public long ModelId { get; init; }
        public string Name { get; init; } = "";
        public int Version { get; init; }
        public string Format { get; init; } = "";
        public string FilePath { get; init; } = "";
        public string Sha256 { get; init; } = "";
        public string MetricsJson { get; init; } = "";
        public bool HasReferenceProfile { get; init; }
        public DateTime CreatedAt { get; init; }
        public string[] Aliases { get; init; } = [];
    }
}
