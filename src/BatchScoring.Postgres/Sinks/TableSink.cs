using BatchScoring.Core.Scoring;
using BatchScoring.Postgres.Output;
using Npgsql;

namespace BatchScoring.Postgres.Sinks;

/// <summary>A scored table (the output or the shadow table) as a sink, bound to the transaction of the partition it writes.</summary>
/// <param name="spooled">See <see cref="TableSinkWriter.BeginAsync"/>: for a second table of the same transaction.</param>
internal sealed class TableSink(NpgsqlConnection connection, NpgsqlTransaction transaction, OutputTableSchema schema, OutputWrite write, bool spooled)
    : IPartitionSink
{
    public async Task<IPartitionSinkWriter> BeginPartitionAsync(SinkPartition partition, CancellationToken cancellationToken)
        => await TableSinkWriter.BeginAsync(connection, transaction, schema, partition, write, spooled, cancellationToken);
}
