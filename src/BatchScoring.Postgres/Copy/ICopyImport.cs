namespace BatchScoring.Postgres.Copy;

/// <summary>Rows on their way into one binary COPY: fill <see cref="Buffer"/>, <see cref="FlushAsync"/> it, end with <see cref="CompleteAsync"/>.</summary>
internal interface ICopyImport : IAsyncDisposable
{
    BinaryCopyBuffer Buffer { get; }

    /// <summary>Sends what the buffer holds and empties it.</summary>
    Task FlushAsync(CancellationToken cancellationToken);

    /// <summary>Sends the rest and the trailer and ends the COPY; the server's errors are thrown here.</summary>
    Task CompleteAsync(CancellationToken cancellationToken);
}
