using BatchScoring.Core.Drift;
using BatchScoring.Core.Jobs;
using Dapper;
using Npgsql;

namespace BatchScoring.Postgres.Drift;

/// <summary>One analysed run of a feature in <c>scoring.drift_trends</c>.</summary>
public sealed record DriftTrendPoint(
    string Feature, long RunId, DateTime? WindowStart, DateTime? WindowEnd, DateTime RunCreatedAt,
    DriftMethod Method, double? Statistic, double? PValue, double Threshold, bool Drifted);

/// <summary>Reads the drift time series (<c>scoring.drift_trends</c>, sql/017) that a run's report draws.</summary>
public sealed class DriftTrendStore(NpgsqlDataSource dataSource)
{
    /// <summary>Per feature, the last <paramref name="runs"/> analysed runs of the run's job up to and including the run itself, oldest first.</summary>
    public Task<IReadOnlyList<DriftTrendPoint>> LoadAsync(long runId, int runs, CancellationToken cancellationToken) =>
        DatabaseCalls.RunAsync<IReadOnlyList<DriftTrendPoint>>(async () =>
        {
            await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
            var rows = await connection.QueryAsync<TrendRow>(new CommandDefinition(
                """
                SELECT feature AS Feature, run_id AS RunId, window_start AS WindowStart, window_end AS WindowEnd, run_created_at AS RunCreatedAt,
                       method AS Method, statistic AS Statistic, p_value AS PValue, threshold AS Threshold, drifted AS Drifted
                FROM (
                    SELECT t.*, row_number() OVER (PARTITION BY t.feature ORDER BY t.run_created_at DESC, t.run_id DESC) AS back
                    FROM scoring.drift_trends t
                    JOIN scoring.runs r ON r.run_id = @runId
                    WHERE t.job_name = r.job_name AND (t.run_created_at, t.run_id) <= (r.created_at, r.run_id)
                ) recent
                WHERE back <= @runs
                ORDER BY feature, run_created_at, run_id
                """, new { runId, runs }, cancellationToken: cancellationToken));
            return rows.Select(r => new DriftTrendPoint(r.Feature, r.RunId, r.WindowStart, r.WindowEnd, r.RunCreatedAt,
                DriftNames.Method(r.Method), r.Statistic, r.PValue, r.Threshold, r.Drifted)).ToArray();
        });

    private sealed record TrendRow(
        string Feature, long RunId, DateTime? WindowStart, DateTime? WindowEnd, DateTime RunCreatedAt,
        string Method, double? Statistic, double? PValue, double Threshold, bool Drifted);
}
