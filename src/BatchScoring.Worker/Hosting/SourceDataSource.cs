using Npgsql;

namespace BatchScoring.Worker.Hosting;

/// <summary>
/// The connections sources read through: <c>ConnectionStrings:Source</c> when set (a role that may only SELECT),
/// else the service's database. The driver's command timeout is off, because a batch query may rightly take longer
/// than its 30 s default before the first row: the job's <c>partition_timeout</c> bounds source statements on the server.
/// </summary>
internal sealed class SourceDataSource(NpgsqlDataSource dataSource) : IAsyncDisposable
{
    public NpgsqlDataSource DataSource { get; } = dataSource;

    public static SourceDataSource Create(string? sourceConnectionString, string connectionString)
    {
        var builder = new NpgsqlConnectionStringBuilder(string.IsNullOrWhiteSpace(sourceConnectionString) ? connectionString : sourceConnectionString)
        {
            CommandTimeout = 0,
        };
        return new SourceDataSource(NpgsqlDataSource.Create(builder.ConnectionString));
    }

    public ValueTask DisposeAsync() => DataSource.DisposeAsync();
}
