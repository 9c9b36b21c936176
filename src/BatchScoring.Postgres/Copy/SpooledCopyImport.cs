using Npgsql;

namespace BatchScoring.Postgres.Copy;

/// <summary>
/// A binary COPY whose rows wait in a temporary file until <see cref="CompleteAsync"/>, which runs the COPY: for a
/// second table in a transaction whose connection is busy with another COPY (one connection runs one at a time).
/// Memory stays bounded whatever the partition's size; the file is deleted when disposed.
/// </summary>
internal sealed class SpooledCopyImport : ICopyImport
{
    private readonly NpgsqlConnection _connection;
    private readonly string _quotedTable;
    private readonly IReadOnlyList<string> _columns;
    private readonly FileStream _spool;
    private bool _completed;

    public SpooledCopyImport(NpgsqlConnection connection, string quotedTable, IReadOnlyList<string> columns)
    {
        _connection = connection;
        _quotedTable = quotedTable;
        _columns = columns;
        _spool = new FileStream(Path.Combine(Path.GetTempPath(), $"batchscoring-spool-{Guid.NewGuid():N}.tmp"), FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 1 << 16,
            FileOptions.DeleteOnClose | FileOptions.Asynchronous);
    }

    public BinaryCopyBuffer Buffer { get; } = new();

    public async Task FlushAsync(CancellationToken cancellationToken)
    {
        if (_completed)
            throw new InvalidOperationException("The COPY was already completed.");
        await _spool.WriteAsync(Buffer.Written, cancellationToken);
        Buffer.Clear();
    }

    public async Task CompleteAsync(CancellationToken cancellationToken)
    {
        await FlushAsync(cancellationToken);
        _completed = true;
        _spool.Position = 0;
        await using var import = await BinaryCopyImport.BeginAsync(_connection, _quotedTable, _columns, cancellationToken);
        var chunk = new byte[1 << 16];
        int read;
        while ((read = await _spool.ReadAsync(chunk, cancellationToken)) > 0)
        {
            import.Buffer.WriteRaw(chunk.AsSpan(0, read));
            await import.FlushAsync(cancellationToken);
        }
        await import.CompleteAsync(cancellationToken);
    }

    public ValueTask DisposeAsync() => _spool.DisposeAsync();
}
