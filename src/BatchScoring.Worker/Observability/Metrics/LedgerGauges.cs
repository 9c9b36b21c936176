using BatchScoring.Core.Runs;
using Dapper;
using Microsoft.Extensions.Logging;
using Npgsql;
using Prometheus;

namespace BatchScoring.Worker.Observability.Metrics;

/// <summary>
/// Gauges read from the ledger at each scrape, so they count the work of every process (one-shot <c>run</c> and
/// <c>backfill</c> processes included), not only this worker's: partitions pending and running per job, runs in
/// progress per job, and the finish time of each job's last succeeded run. A scrape while the database is down keeps
/// the last values and logs why.
/// </summary>
internal sealed class LedgerGauges
{
    private static readonly string Sql = $"""
        SELECT DISTINCT job_name FROM scoring.runs;
        SELECT r.job_name AS Job, p.status AS State, count(*) AS Count
        FROM scoring.partitions p JOIN scoring.runs r USING (run_id)
        WHERE r.status = '{RunStatus.Running}' AND p.status IN ('{PartitionStatus.Pending}', '{PartitionStatus.Running}')
        GROUP BY 1, 2;
        SELECT job_name AS Job, count(*) AS Count FROM scoring.runs WHERE status = '{RunStatus.Running}' GROUP BY 1;
        SELECT job_name AS Job, extract(epoch FROM max(finished_at))::float8 AS Seconds
        FROM scoring.runs WHERE status = '{RunStatus.Succeeded}' GROUP BY 1;
        """;

    private readonly NpgsqlDataSource _dataSource;
    private readonly ILogger<LedgerGauges> _logger;
    private readonly Gauge _partitions;
    private readonly Gauge _runsInProgress;
    private readonly Gauge _lastSuccess;

    public LedgerGauges(ScoringMetrics metrics, NpgsqlDataSource dataSource, ILogger<LedgerGauges> logger)
    {
        _dataSource = dataSource;
        _logger = logger;
        _partitions = metrics.Factory.CreateGauge("batchscoring_partitions",
            "Partitions of running runs that are pending or running now, by job and state (from the ledger: every process's runs).", ["job", "state"]);
        _runsInProgress = metrics.Factory.CreateGauge("batchscoring_runs_in_progress", "Runs in progress, by job (from the ledger).", ["job"]);
        _lastSuccess = metrics.Factory.CreateGauge("batchscoring_last_success_timestamp_seconds",
            "When the job's last succeeded run finished, in Unix seconds (from the ledger).", ["job"]);
        metrics.Registry.AddBeforeCollectCallback(RefreshAsync);
    }

    private async Task RefreshAsync(CancellationToken cancellationToken)
    {
        try
        {
            await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
            await using var results = await connection.QueryMultipleAsync(new CommandDefinition(Sql, cancellationToken: cancellationToken));
            var jobs = (await results.ReadAsync<string>()).ToArray();
            var partitions = (await results.ReadAsync<(string Job, string State, long Count)>()).ToDictionary(p => (p.Job, p.State), p => p.Count);
            var runs = (await results.ReadAsync<(string Job, long Count)>()).ToDictionary(r => r.Job, r => r.Count);
            var successes = await results.ReadAsync<(string Job, double Seconds)>();
            foreach (var job in jobs)
            {
                foreach (var state in new[] { PartitionStatus.Pending, PartitionStatus.Running })
                    _partitions.WithLabels(job, state).Set(partitions.GetValueOrDefault((job, state)));
                _runsInProgress.WithLabels(job).Set(runs.GetValueOrDefault(job));
            }
            foreach (var (job, seconds) in successes)
                _lastSuccess.WithLabels(job).Set(seconds);
        }
        catch (Exception e) when (e is NpgsqlException or InvalidOperationException or TimeoutException or System.Net.Sockets.SocketException)
        {
            _logger.LogWarning("The ledger gauges of /metrics keep their last values: the ledger could not be read ({Error})", e.Message);
        }
    }
}
