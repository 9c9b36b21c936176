using BatchScoring.Core.Drift.Sketches;
using BatchScoring.Core.Errors;
using BatchScoring.Core.Runs;
using Dapper;
using Npgsql;

namespace BatchScoring.Postgres.Drift;

/// <summary>
/// Drift sketches in the database: each partition's in <c>scoring.partitions.drift_sketch</c>, a model
/// version's reference in <c>scoring.models.reference_profile</c>.
/// </summary>
public sealed class DriftSketchStore(NpgsqlDataSource dataSource)
{
    /// <summary>The merge of the sketches of a run's succeeded partitions; null when none has one.</summary>
    public Task<DatasetSketch?> MergeRunSketchesAsync(long runId, CancellationToken cancellationToken) => DatabaseCalls.RunAsync<DatasetSketch?>(async () =>
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<(long PartitionId, string Sketch)>(new CommandDefinition(
            $"""
            SELECT partition_id, drift_sketch::text FROM scoring.partitions
            WHERE run_id = @runId AND status = '{PartitionStatus.Succeeded}' AND drift_sketch IS NOT NULL
            ORDER BY partition_id
            """, new { runId }, cancellationToken: cancellationToken));
        var sketches = rows.Select(r => Parse(r.Sketch, $"partition {r.PartitionId} of run {runId}")).ToArray();
        return sketches.Length == 0 ? null : DatasetSketch.MergeAll(sketches);
    });

    public Task SaveReferenceProfileAsync(string modelName, int version, DatasetSketch reference, CancellationToken cancellationToken) => DatabaseCalls.RunAsync(async () =>
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var updated = await connection.ExecuteAsync(new CommandDefinition(
            "UPDATE scoring.models SET reference_profile = @Profile::jsonb WHERE name = @modelName AND version = @version",
            new { Profile = reference.ToJson(), modelName, version }, cancellationToken: cancellationToken));
        if (updated == 0)
            throw new BatchScoringException($"Model {modelName}@{version} is not registered; its reference profile cannot be stored.");
    });

    /// <summary>The registered reference profile of a model version; null when it has none.</summary>
    public Task<DatasetSketch?> LoadReferenceProfileAsync(string modelName, int version, CancellationToken cancellationToken) => DatabaseCalls.RunAsync<DatasetSketch?>(async () =>
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var json = await connection.ExecuteScalarAsync<string?>(new CommandDefinition(
            "SELECT reference_profile::text FROM scoring.models WHERE name = @modelName AND version = @version",
            new { modelName, version }, cancellationToken: cancellationToken));
        return json is null ? null : Parse(json, $"the reference profile of model {modelName}@{version}",
            " Register the model again with `models register … --reference` for a profile this release reads.");
    });

    private static DatasetSketch Parse(string json, string what, string remedy = "")
    {
        try
        {
            return DatasetSketch.FromJson(json);
        }
        catch (FormatException e)
        {
            throw new FormatException($"The drift sketch of {what} cannot be read: {e.Message}{remedy}", e);
        }
    }
}
