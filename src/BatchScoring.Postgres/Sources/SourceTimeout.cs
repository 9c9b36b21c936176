using System.Globalization;
using BatchScoring.Core.Errors;
using Npgsql;

namespace BatchScoring.Postgres.Sources;

/// <summary>
/// A source statement's error, saying which timeout ended it when the server's <c>statement_timeout</c> (set to the job's
/// <c>partition_timeout</c>) did. The PostgreSQL error stays the inner exception.
/// </summary>
internal static class SourceTimeout
{
    public static BatchScoringException Error(PostgresException e, SourceLimits limits, string activity, string otherwise)
        => new(PostgresErrors.IsStatementTimeout(e)
            ? $"{limits.Setting} {Format(limits.StatementTimeout)} of job '{limits.JobName}' exceeded while {activity}"
            : otherwise, e);

    private static string Format(TimeSpan timeout)
        => timeout.TotalSeconds < 60 || timeout.TotalSeconds % 60 != 0 ? timeout.TotalSeconds.ToString(CultureInfo.InvariantCulture) + "s"
            : timeout.TotalMinutes % 60 != 0 ? timeout.TotalMinutes.ToString(CultureInfo.InvariantCulture) + "m"
            : timeout.TotalHours.ToString(CultureInfo.InvariantCulture) + "h";
}
