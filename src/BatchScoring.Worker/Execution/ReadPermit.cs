namespace BatchScoring.Worker.Execution;

/// <summary>
/// One of the pool's read slots (<see cref="PartitionWorkerPool"/>), held by a slot from before it claims a partition
/// until the partition's rows are all staged or written: its merge and commit then run while another slot's partition
/// reads. Released once, by whichever comes first: the executor, or the end of the slot's turn.
/// </summary>
internal sealed class ReadPermit : IDisposable
{
    private readonly SemaphoreSlim _gate;
    private int _released;

    private ReadPermit(SemaphoreSlim gate) => _gate = gate;

    public static async Task<ReadPermit> AcquireAsync(SemaphoreSlim gate, CancellationToken cancellationToken)
    {
        await gate.WaitAsync(cancellationToken);
        return new ReadPermit(gate);
    }

    public void Release()
    {
        if (Interlocked.Exchange(ref _released, 1) == 0)
            _gate.Release();
    }

    public void Dispose() => Release();
}
