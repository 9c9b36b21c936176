using Npgsql;

namespace BatchScoring.Postgres;

/// <summary>What a PostgreSQL error means, for callers that do not speak Npgsql.</summary>
public static class PostgresErrors
{
    /// <summary>Whether the server's <c>statement_timeout</c> ended a statement, in <paramref name="e"/> or one of its inner exceptions.</summary>
    public static bool IsStatementTimeout(Exception e)
    {
        for (Exception? current = e; current is not null; current = current.InnerException)
            if (current is PostgresException pg && IsStatementTimeout(pg))
                return true;
        return false;
    }

    internal static bool IsStatementTimeout(PostgresException e)
        => e.SqlState == PostgresErrorCodes.QueryCanceled && e.MessageText.Contains("statement timeout", StringComparison.Ordinal);

    /// <summary>A server error as <c>PostgreSQL 42P01: …</c>, the driver's other errors by type and message; null for any other exception.</summary>
    public static string? Describe(Exception e) => e switch
    {
        PostgresException pg => $"PostgreSQL {pg.SqlState}: {pg.MessageText}",
        DatabaseUnavailableException { InnerException: { } inner } => Describe(inner),
        NpgsqlException => $"{e.GetType().Name}: {e.Message}",
        _ => null,
    };
}
