using BatchScoring.Core.Drift;
using Dapper;
using Npgsql;

namespace BatchScoring.Postgres.Drift;

/// <summary>One feature of one job over its recent analysed runs, from <c>scoring.drift_trends</c> (for the web console).</summary>
public sealed class DriftHistory(NpgsqlDataSource dataSource)
{
    /// <summary>The last <paramref name="runs"/> analysed runs of the job for the feature, oldest first; empty when there are none.</summary>
    public Task<IReadOnlyList<DriftTrendPoint>> LoadAsync(string jobName, string feature, int runs, CancellationToken cancellationToken) =>
        DatabaseCalls.RunAsync<IReadOnlyList<DriftTrendPoint>>(async () =>
        {
            await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
            var rows = await connection.QueryAsync<(string Feature, long RunId, DateTime? WindowStart, DateTime? WindowEnd, DateTime RunCreatedAt,
                string Method, double? Statistic, double? PValue, double Threshold, bool Drifted)>(new CommandDefinition(
                """
                SELECT feature, run_id, window_start, window_end, run_created_at, method, statistic, p_value, threshold, drifted
                FROM (
                    SELECT * FROM scoring.drift_trends WHERE job_name = @jobName AND feature = @feature
                    ORDER BY run_created_at DESC, run_id DESC LIMIT @runs
                ) recent
                ORDER BY run_created_at, run_id
                """, new { jobName, feature, runs }, cancellationToken: cancellationToken));
            return rows.Select(r => new DriftTrendPoint(r.Feature, r.RunId, r.WindowStart, r.WindowEnd, r.RunCreatedAt,
                DriftNames.Method(r.Method), r.Statistic, r.PValue, r.Threshold, r.Drifted)).ToArray();
        });
}
