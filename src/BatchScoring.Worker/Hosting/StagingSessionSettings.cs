using Npgsql;

namespace BatchScoring.Worker.Hosting;

/// <summary>
/// Sizes the server sessions' <c>temp_buffers</c>: each partition stages its scored rows in a temporary
/// table, and PostgreSQL's default of 8 MB spills a partition of a few hundred thousand rows to disk
/// before the merge reads it back. It can only be set when a session starts, hence the connection string.
/// </summary>
internal static class StagingSessionSettings
{
    public static string Apply(string connectionString, WorkerOptions options)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        if (options.StagingTempBuffersMB == 0 || (builder.Options ?? "").Contains("temp_buffers", StringComparison.Ordinal))
            return connectionString;
        builder.Options = $"{builder.Options} -c temp_buffers={options.StagingTempBuffersMB}MB".Trim();
        return builder.ConnectionString;
    }
}
