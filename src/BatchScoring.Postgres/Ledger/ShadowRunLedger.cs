using BatchScoring.Core.Runs;
using BatchScoring.Core.Shadow;
using Dapper;
using Npgsql;

namespace BatchScoring.Postgres.Ledger;

/// <summary>Records on <c>scoring.runs</c> which challenger a run scored in shadow, and how closely it agreed with the champion.</summary>
public sealed class ShadowRunLedger(NpgsqlDataSource dataSource)
{
    /// <summary>Recorded when the run starts, so a failed run still shows its challenger.</summary>
    public Task RecordChallengerAsync(long runId, string challengerName, string challengerVersion, string shadowTable, CancellationToken cancellationToken) => DatabaseCalls.RunAsync(async () =>
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(
            """
            UPDATE scoring.runs SET challenger_name = @challengerName, challenger_version = @challengerVersion, shadow_table = @shadowTable
            WHERE run_id = @runId
            """, new { runId, challengerName, challengerVersion, shadowTable }, cancellationToken: cancellationToken));
    });

    /// <summary>Stores the agreement figures inside the caller's transaction, so they commit with the run's output.</summary>
    public static Task RecordAgreementAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, long runId, ShadowAgreement agreement, CancellationToken cancellationToken)
        => connection.ExecuteAsync(new CommandDefinition(
            """
            UPDATE scoring.runs
            SET shadow_rows = @Rows, shadow_label_agreement = @LabelAgreement,
                shadow_mean_abs_score_diff = @MeanAbsoluteScoreDifference, shadow_score_correlation = @ScoreCorrelation
            WHERE run_id = @runId
            """, new { runId, agreement.Rows, agreement.LabelAgreement, agreement.MeanAbsoluteScoreDifference, agreement.ScoreCorrelation },
            transaction, cancellationToken: cancellationToken));

    /// <summary>Merges the agreement figures of the run's succeeded partitions and stores them on the run.</summary>
    public Task<ShadowAgreement?> FinishAsync(long runId, CancellationToken cancellationToken) => DatabaseCalls.RunAsync<ShadowAgreement?>(async () =>
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var parts = await connection.QueryAsync<string>(new CommandDefinition(
            $"SELECT shadow_agreement::text FROM scoring.partitions WHERE run_id = @runId AND status = '{PartitionStatus.Succeeded}' AND shadow_agreement IS NOT NULL",
            new { runId }, cancellationToken: cancellationToken));
        var merged = new ShadowAgreement();
        var any = false;
        foreach (var json in parts)
        {
            merged.Merge(ShadowAgreementJson.Deserialize(json));
            any = true;
        }
        if (!any)
            return null;
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await RecordAgreementAsync(connection, transaction, runId, merged, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return merged;
    });
}
