using BatchScoring.Core.Scoring;
using Dapper;
using Npgsql;

namespace BatchScoring.Postgres.DeadLetters;

/// <summary>Stores a partition's dead letters in the partition's own transaction, so a retried attempt never doubles them.</summary>
internal static class DeadLetterWriter
{
    public static async Task InsertAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, long runId, long partitionId,
        string jobName, IReadOnlyCollection<DeadLetter> letters, CancellationToken cancellationToken)
    {
        if (letters.Count == 0)
            return;
        await connection.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO scoring.dead_letters (run_id, partition_id, job_name, row_key, column_name, stage, reason, row_data)
            SELECT @runId, @partitionId, @jobName, k, c, s, r, d::jsonb
            FROM unnest(@keys, @columns, @stages, @reasons, @data) AS t(k, c, s, r, d)
            """,
            new
            {
                runId, partitionId, jobName,
                keys = letters.Select(l => l.RowKey).ToArray(),
                columns = letters.Select(l => l.Column).ToArray(),
                stages = letters.Select(l => l.Stage).ToArray(),
                reasons = letters.Select(l => l.Reason).ToArray(),
                data = letters.Select(l => l.RowDataJson).ToArray(),
            }, transaction, cancellationToken: cancellationToken));
    }
}
