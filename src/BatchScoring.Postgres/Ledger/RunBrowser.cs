using Dapper;
using Npgsql;

namespace BatchScoring.Postgres.Ledger;

/// <summary>Which runs to list: every criterion is optional; <see cref="From"/> and <see cref="To"/> bound the run's creation time.</summary>
public sealed record RunFilter(string? Job, string? Status, string? Trigger, DateTime? From, DateTime? To);

/// <summary>One page of runs, newest first, and how many runs match the filter in all.</summary>
public sealed record RunPage(IReadOnlyList<RunRecord> Runs, long Total);

/// <summary>A run's dead letters of one stage and reason: how many rows, and one of their keys.</summary>
public sealed record DeadLetterGroup(string Stage, string Reason, long Rows, string? SampleKey);

/// <summary>Read-only browsing of the ledger for the web console: filtered pages of runs and a run's dead letters (works as <c>batchscoring_analyst</c>).</summary>
public sealed class RunBrowser(NpgsqlDataSource dataSource)
{
    private const string Where = """
         WHERE (@Job::text IS NULL OR job_name = @Job) AND (@Status::text IS NULL OR status = @Status)
           AND (@Trigger::text IS NULL OR trigger = @Trigger)
           AND (@From::timestamptz IS NULL OR created_at >= @From) AND (@To::timestamptz IS NULL OR created_at < @To)
        """;

    /// <summary>Up to <paramref name="limit"/> runs older than <paramref name="beforeRunId"/> (keyset paging on the run id); runs still open count the rows of their committed partitions.</summary>
    public Task<RunPage> PageAsync(RunFilter filter, int limit, long? beforeRunId, CancellationToken cancellationToken) => DatabaseCalls.RunAsync(async () =>
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var parameters = new { filter.Job, filter.Status, filter.Trigger, filter.From, filter.To, Before = beforeRunId, Limit = limit };
        var runs = (await connection.QueryAsync<RunRecord>(new CommandDefinition(
            RunLedger.SelectRun + Where + " AND (@Before::bigint IS NULL OR run_id < @Before) ORDER BY run_id DESC LIMIT @Limit",
            parameters, cancellationToken: cancellationToken))).ToArray();
        var total = await connection.ExecuteScalarAsync<long>(new CommandDefinition(
            "SELECT count(*) FROM scoring.runs" + Where, parameters, cancellationToken: cancellationToken));
        // A run's own counts are written when it finishes; until then they are what its committed partitions hold.
        var open = runs.Where(r => r.FinishedAt is null).Select(r => r.RunId).ToArray();
        if (open.Length == 0)
            return new RunPage(runs, total);
        var sums = (await connection.QueryAsync<(long RunId, long Read, long Scored, long Failed)>(new CommandDefinition(
            """
            SELECT run_id, sum(rows_read)::bigint, sum(rows_scored)::bigint, sum(rows_failed)::bigint
            FROM scoring.partitions WHERE run_id = ANY(@open) GROUP BY run_id
            """, new { open }, cancellationToken: cancellationToken))).ToDictionary(s => s.RunId);
        return new RunPage(runs.Select(r => sums.TryGetValue(r.RunId, out var s) ? r with { RowsRead = s.Read, RowsScored = s.Scored, RowsFailed = s.Failed } : r).ToArray(), total);
    });

    /// <summary>The run's dead letters grouped by stage and reason, the largest groups first.</summary>
    public Task<IReadOnlyList<DeadLetterGroup>> DeadLettersAsync(long runId, int top, CancellationToken cancellationToken) => DatabaseCalls.RunAsync<IReadOnlyList<DeadLetterGroup>>(async () =>
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return (await connection.QueryAsync<DeadLetterGroup>(new CommandDefinition(
            """
            SELECT stage AS Stage, reason AS Reason, count(*) AS Rows, min(row_key) AS SampleKey
            FROM scoring.dead_letters WHERE run_id = @runId
            GROUP BY stage, reason ORDER BY count(*) DESC, stage, reason LIMIT @top
            """, new { runId, top }, cancellationToken: cancellationToken))).ToArray();
    });
}
