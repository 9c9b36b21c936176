using BatchScoring.Core.Jobs;
using Dapper;
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

    /// <summary>
    /// The job as it writes its table: a default <c>output.replace: run</c> (<see cref="OutputSpec.WithDefaultReplace"/>)
    /// becomes <c>partition</c> when the table cannot be partitioned by run, because it exists as one table (made by an
    /// earlier release, or for another setting) or its name is too long for its partitions' names.
    /// </summary>
    public async Task<JobSpec> WithTableReplaceAsync(JobSpec job, CancellationToken cancellationToken)
    {
        if (job.Output is not { ReplaceIsDefault: true, Replace: OutputReplace.Run, Table: { } table })
            return job;
        var partition = job with { Output = job.Output with { Replace = OutputReplace.Partition } };
        if (table.Name.Length > RunPartitions.MaxTableName)
            return partition;
        var oneTable = await DatabaseCalls.RunAsync(async () =>
        {
            await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
            return await connection.ExecuteScalarAsync<bool>(new CommandDefinition(
                "SELECT EXISTS (SELECT 1 FROM pg_class WHERE oid = to_regclass(@table) AND relkind <> 'p')", new { table = table.Quoted }, cancellationToken: cancellationToken));
        });
        return oneTable ? partition : job;
    }
}
