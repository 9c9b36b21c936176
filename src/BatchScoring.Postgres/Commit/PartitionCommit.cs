using BatchScoring.Core.Batches;
using BatchScoring.Core.Scoring;
using BatchScoring.Postgres.DeadLetters;
using BatchScoring.Postgres.Ledger;
using BatchScoring.Postgres.Output;
using BatchScoring.Postgres.Sinks;
using Npgsql;

namespace BatchScoring.Postgres.Commit;

/// <summary>
/// One attempt of a partition, from its first row to its commit, on one connection and in one transaction: the
/// output rows, the shadow rows, the dead letters, the drift sketch and the <c>succeeded</c> mark become visible
/// together or not at all. The output rows stream through the connection's COPY; the shadow rows wait in a
/// temporary file and are copied after them (one connection runs one COPY at a time). Disposed before
/// <see cref="CommitAsync"/>, the transaction rolls back.
/// </summary>
public sealed class PartitionCommit : IAsyncDisposable
{
    private readonly NpgsqlConnection _connection;
    private readonly NpgsqlTransaction _transaction;
    private readonly PartitionCommitPlan _plan;
    private TableSinkWriter? _output;
    private IPartitionSinkWriter? _shadow;
    private IPartitionSinkWriter? _files;

    private PartitionCommit(NpgsqlConnection connection, NpgsqlTransaction transaction, PartitionCommitPlan plan)
    {
        _connection = connection;
        _transaction = transaction;
        _plan = plan;
    }

    internal static async Task<PartitionCommit> BeginAsync(NpgsqlDataSource dataSource, PartitionCommitPlan plan, CancellationToken cancellationToken)
    {
        var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        PartitionCommit? commit = null;
        try
        {
            var transaction = await connection.BeginTransactionAsync(cancellationToken);
            commit = new PartitionCommit(connection, transaction, plan);
            var partition = plan.Partition;
            // The shadow writer begins first: its preparing statements need the connection before the output's COPY holds it.
            if (plan.Shadow is { } shadow)
                commit._shadow = await new TableSink(connection, transaction, shadow.Schema, OutputWrite.Merge, spooled: true)
                    .BeginPartitionAsync(new SinkPartition(partition.RunId, partition.PartitionId, partition.Bounds, shadow.ModelVersion, plan.JobName), cancellationToken);
            var main = new SinkPartition(partition.RunId, partition.PartitionId, partition.Bounds, plan.ModelVersion, plan.JobName);
            if (plan.Output is { } output)
                commit._output = await TableSinkWriter.BeginAsync(connection, transaction, output, main, plan.Write, spooled: false, cancellationToken, plan.RemovesPassedKeys, plan.Keeping);
            if (plan.Files is { } files)
                commit._files = await files.BeginPartitionAsync(main, cancellationToken);
            return commit;
        }
        catch
        {
            if (commit is not null)
                await commit.DisposeAsync();
            else
                await connection.DisposeAsync();
            throw;
        }
    }

    /// <summary>Stored keys the skip-unchanged merge passed over (see <see cref="PartitionCommitPlan.RemovesPassedKeys"/>).</summary>
    public Task WritePassedAsync(IReadOnlyList<long> keys, CancellationToken cancellationToken)
        => _output?.WritePassedAsync(keys, cancellationToken) ?? Task.CompletedTask;

    /// <summary>Writes a scored batch to every sink of the partition; <paramref name="shadow"/> is the challenger's scores of the same rows.</summary>
    public async Task WriteAsync(ScoredBatch scored, ScoredBatch? shadow, CancellationToken cancellationToken)
    {
        if (_output is not null)
            await _output.WriteAsync(scored, cancellationToken);
        if (_shadow is not null)
            await _shadow.WriteAsync(shadow ?? throw new ArgumentNullException(nameof(shadow), "The partition has a shadow table."), cancellationToken);
        if (_files is not null)
            await _files.WriteAsync(scored, cancellationToken);
    }

    /// <summary>
    /// Completes the sinks, stores the dead letters and marks the partition succeeded, then commits. A key conflict on
    /// the direct path surfaces here (<see cref="Output.OutputKeyConflictException"/>), as does a lost lease
    /// (<see cref="LeaseLostException"/>). The files are renamed into place just before the commit; a crash in between
    /// leaves a file the retry overwrites.
    /// </summary>
    public async Task CommitAsync(PartitionOutcome outcome, CancellationToken cancellationToken)
    {
        var partition = _plan.Partition;
        if (_output is not null)
            await _output.CompleteAsync(cancellationToken);
        if (_shadow is not null)
            await _shadow.CompleteAsync(cancellationToken);
        await DeadLetterWriter.InsertAsync(_connection, _transaction, partition.RunId, partition.PartitionId, _plan.JobName, outcome.DeadLetters, cancellationToken);
        if (_files is not null)
            await _files.CompleteAsync(cancellationToken);
        await PartitionLeases.CompleteAsync(_connection, _transaction, partition, _plan.Owner, outcome.Counts, outcome.Sketch?.ToJson(),
            outcome.Agreement is { } agreement ? ShadowAgreementJson.Serialize(agreement) : null, cancellationToken);
        await _transaction.CommitAsync(cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var sink in new IPartitionSinkWriter?[] { _files, _output, _shadow })
            if (sink is not null)
                await sink.DisposeAsync();
        _files = _shadow = null;
        _output = null;
        await _transaction.DisposeAsync();
        await _connection.DisposeAsync();
    }
}
