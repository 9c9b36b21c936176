using Npgsql;

namespace BatchScoring.Postgres.Output;

/// <summary>Checks and creates a run's output and shadow tables in the scoring database.</summary>
public sealed class OutputTables(NpgsqlDataSource dataSource)
{
    /// <inheritdoc cref="OutputTableSchema.CheckAsync"/>
    public Task CheckAsync(OutputTableSchema schema, CancellationToken cancellationToken) => schema.CheckAsync(dataSource, cancellationToken);

    /// <inheritdoc cref="OutputTableSchema.EnsureAsync"/>
    public Task<OutputWritePath> EnsureAsync(OutputTableSchema schema, CancellationToken cancellationToken) => schema.EnsureAsync(dataSource, cancellationToken);

    /// <inheritdoc cref="KeptFingerprints.AttachAsync"/>
    public Task<bool> KeepFingerprintsAsync(OutputTableSchema schema, CancellationToken cancellationToken) => KeptFingerprints.AttachAsync(dataSource, schema, cancellationToken);
}
