using BatchScoring.Core.Sql;
using Npgsql;

namespace BatchScoring.Postgres.Copy;

/// <summary>
/// One <c>COPY … FROM STDIN (FORMAT BINARY)</c> through Npgsql's raw COPY stream: fill <see cref="Buffer"/>, send it
/// with <see cref="FlushAsync"/>, end with <see cref="CompleteAsync"/>, which returns the server's verdict
/// (constraint errors and the like). Disposed unfinished, the COPY is cancelled, so nothing of it is kept.
/// </summary>
public sealed class BinaryCopyImport : ICopyImport
{
    private NpgsqlRawCopyStream? _stream;

    private BinaryCopyImport(NpgsqlRawCopyStream stream) => _stream = stream;

    public BinaryCopyBuffer Buffer { get; } = new();

    public static async Task<BinaryCopyImport> BeginAsync(
        NpgsqlConnection connection, string quotedTable, IEnumerable<string> columns, CancellationToken cancellationToken)
    {
        var stream = await connection.BeginRawBinaryCopyAsync(
            $"COPY {quotedTable} ({string.Join(", ", columns.Select(SqlIdentifier.Quote))}) FROM STDIN (FORMAT BINARY)", cancellationToken);
        var import = new BinaryCopyImport(stream);
        import.Buffer.WriteHeader();
        return import;
    }

    /// <summary>Sends what the buffer holds and empties it.</summary>
    public async Task FlushAsync(CancellationToken cancellationToken)
    {
        var stream = _stream ?? throw new InvalidOperationException("The COPY was already completed.");
        await stream.WriteAsync(Buffer.Written, cancellationToken);
        Buffer.Clear();
    }

    /// <summary>Sends the rest and the trailer and ends the COPY; the server's errors are thrown here.</summary>
    public async Task CompleteAsync(CancellationToken cancellationToken)
    {
        Buffer.WriteTrailer();
        await FlushAsync(cancellationToken);
        var stream = _stream!;
        _stream = null;
        await stream.DisposeAsync();
    }

    public async ValueTask DisposeAsync()
    {
        if (_stream is not { } stream)
            return;
        _stream = null;
        try
        {
            await stream.CancelAsync();
            await stream.DisposeAsync();
        }
        catch (Exception e) when (e is NpgsqlException or InvalidOperationException or IOException)
        {
            // Cancelling on a broken connection fails too; the error that broke it is what the caller reports.
        }
    }
}
