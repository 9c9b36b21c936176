using System.Text.Json;
using System.Text.Json.Serialization;
using BatchScoring.Core.Drift;
using Dapper;
using Npgsql;

namespace BatchScoring.Postgres.Drift;

/// <summary>A drift report as stored, with its run and the time it was computed.</summary>
public sealed record StoredDriftReport(long RunId, DateTime CreatedAt, DriftReport Report);

/// <summary>Writes and reads <c>scoring.drift_runs</c> and <c>scoring.drift_features</c>.</summary>
public sealed class DriftReportStore(NpgsqlDataSource dataSource)
{
    /// <summary>Stores a run's report, replacing an earlier one of the same run (a re-finalized run).</summary>
    public Task SaveAsync(long runId, DriftReport report, CancellationToken cancellationToken) => DatabaseCalls.RunAsync(async () =>
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await SaveAsync(connection, transaction, runId, report, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
    });

    /// <summary>Stores a run's report inside the caller's transaction (e.g. the finalizer's).</summary>
    public static async Task SaveAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, long runId, DriftReport report, CancellationToken cancellationToken)
    {
        var s = report.Summary;
        await connection.ExecuteAsync(new CommandDefinition("DELETE FROM scoring.drift_runs WHERE run_id = @runId", new { runId }, transaction, cancellationToken: cancellationToken));
        await connection.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO scoring.drift_runs (run_id, reference, n_ref, n_cur, input_features, drifted_features, drifted_share,
                                            share_threshold, dataset_drift, fdr_drift, prediction_drift)
            VALUES (@runId, @Reference, @ReferenceRows, @CurrentRows, @InputFeatures, @DriftedInputFeatures, @DriftedShare,
                    @ShareThreshold, @DatasetDrift, @FdrDrift, @PredictionDrift)
            """,
            new
            {
                runId, s.Reference, s.ReferenceRows, s.CurrentRows, s.InputFeatures, s.DriftedInputFeatures, s.DriftedShare,
                s.ShareThreshold, s.DatasetDrift, s.FdrDrift, s.PredictionDrift,
            }, transaction, cancellationToken: cancellationToken));
        await connection.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO scoring.drift_features (run_id, feature, role, kind, method, statistic, statistic_bound, p_value, threshold, severity, drifted,
                                                fdr_rejected, n_ref, n_cur, ref_sample_size, cur_sample_size, ref_missing_rate, cur_missing_rate,
                                                missing_rate_change, statistics, bins, new_categories)
            VALUES (@RunId, @Feature, @Role, @Kind, @Method, @Statistic, @StatisticBound, @PValue, @Threshold, @Severity, @Drifted,
                    @FdrRejected, @ReferenceRows, @CurrentRows, @ReferenceSampleSize, @CurrentSampleSize, @ReferenceMissingRate, @CurrentMissingRate,
                    @MissingRateChange, @Statistics::jsonb, @Bins::jsonb, @NewCategories::jsonb)
            """,
            report.Features.Select(f => new
            {
                RunId = runId, f.Feature, Role = DriftNames.Of(f.Role), Kind = DriftNames.Of(f.Kind), Method = DriftNames.Of(f.Method),
                f.Statistic, f.StatisticBound, f.PValue, f.Threshold, f.Severity, f.Drifted, f.FdrRejected, f.ReferenceRows, f.CurrentRows,
                f.ReferenceSampleSize, f.CurrentSampleSize, f.ReferenceMissingRate, f.CurrentMissingRate, f.MissingRateChange,
                Statistics = JsonSerializer.Serialize(f.Statistics),
                Bins = JsonSerializer.Serialize(f.Bins.Select(b => new StoredBin(b.Bin, b.Reference, b.Current))),
                NewCategories = JsonSerializer.Serialize(f.NewCategories.Select(c => new StoredCategory(c.Bin, c.Current))),
            }), transaction, cancellationToken: cancellationToken));
        await connection.ExecuteAsync(new CommandDefinition(
            "UPDATE scoring.runs SET drift_status = @Status, drift_error = NULL WHERE run_id = @runId",
            new { runId, Status = DriftStatus.Reported }, transaction, cancellationToken: cancellationToken));
    }

    /// <summary>Records on the run why it has no drift report (<see cref="DriftStatus"/>), with the error when the finalizer failed.</summary>
    public async Task RecordStatusAsync(long runId, string status, string? error, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(
            "UPDATE scoring.runs SET drift_status = @status, drift_error = @error WHERE run_id = @runId",
            new { runId, status, error }, cancellationToken: cancellationToken));
    }

    /// <summary>The run's status and drift status; null when there is no such run.</summary>
    public async Task<RunDriftState?> LoadStateAsync(long runId, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.QuerySingleOrDefaultAsync<RunDriftState>(new CommandDefinition(
            "SELECT status AS RunStatus, drift_status AS DriftStatus, drift_error AS DriftError FROM scoring.runs WHERE run_id = @runId",
            new { runId }, cancellationToken: cancellationToken));
    }

    public Task<StoredDriftReport?> LoadAsync(long runId, CancellationToken cancellationToken) => DatabaseCalls.RunAsync<StoredDriftReport?>(async () =>
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var run = await connection.QuerySingleOrDefaultAsync<RunRow>(new CommandDefinition(
            """
            SELECT reference AS Reference, n_ref AS NRef, n_cur AS NCur, input_features AS InputFeatures, drifted_features AS DriftedFeatures,
                   drifted_share AS DriftedShare, share_threshold AS ShareThreshold, dataset_drift AS DatasetDrift, fdr_drift AS FdrDrift,
                   prediction_drift AS PredictionDrift, created_at AS CreatedAt
            FROM scoring.drift_runs WHERE run_id = @runId
            """, new { runId }, cancellationToken: cancellationToken));
        if (run is null)
            return null;
        var features = await connection.QueryAsync<FeatureRow>(new CommandDefinition(
            """
            SELECT feature AS Feature, role AS Role, kind AS Kind, method AS Method, statistic AS Statistic, statistic_bound AS StatisticBound, p_value AS PValue,
                   threshold AS Threshold, severity AS Severity, drifted AS Drifted, fdr_rejected AS FdrRejected, n_ref AS NRef, n_cur AS NCur,
                   ref_sample_size AS RefSampleSize, cur_sample_size AS CurSampleSize, ref_missing_rate AS RefMissingRate, cur_missing_rate AS CurMissingRate, statistics::text AS Statistics, bins::text AS Bins,
                   new_categories::text AS NewCategories
            FROM scoring.drift_features WHERE run_id = @runId ORDER BY feature
            """, new { runId }, cancellationToken: cancellationToken));
        var summary = new DriftSummary(run.Reference, run.NRef, run.NCur, run.InputFeatures, run.DriftedFeatures, run.DriftedShare,
            run.ShareThreshold, run.DatasetDrift, run.FdrDrift, run.PredictionDrift);
        return new StoredDriftReport(runId, run.CreatedAt, new DriftReport(summary, features.Select(ToFeature).ToArray()));
    });

    private static FeatureDrift ToFeature(FeatureRow r) => new(
        r.Feature, DriftNames.Role(r.Role), DriftNames.Kind(r.Kind), DriftNames.Method(r.Method), r.Statistic, r.PValue, r.Threshold, r.Severity,
        r.Drifted, r.FdrRejected, r.NRef, r.NCur, r.RefMissingRate, r.CurMissingRate,
        JsonSerializer.Deserialize<Dictionary<string, double>>(r.Statistics)!,
        JsonSerializer.Deserialize<StoredBin[]>(r.Bins)!.Select(b => new BinShare(b.Bin, b.Reference, b.Current)).ToArray())
    {
        StatisticBound = r.StatisticBound,
        ReferenceSampleSize = r.RefSampleSize,
        CurrentSampleSize = r.CurSampleSize,
        NewCategories = JsonSerializer.Deserialize<StoredCategory[]>(r.NewCategories)!.Select(c => new BinShare(c.Category, 0, c.Current)).ToArray(),
    };

    /// <summary>One element of the bins jsonb; its short keys are what analysts query (<c>bins-&gt;0-&gt;&gt;'ref'</c>).</summary>
    private sealed record StoredBin(
        [property: JsonPropertyName("bin")] string Bin,
        [property: JsonPropertyName("ref")] double Reference,
        [property: JsonPropertyName("cur")] double Current);

    /// <summary>One element of the new_categories jsonb.</summary>
    private sealed record StoredCategory(
        [property: JsonPropertyName("category")] string Category,
        [property: JsonPropertyName("cur")] double Current);

    private sealed record RunRow(
        string Reference, long NRef, long NCur, int InputFeatures, int DriftedFeatures, double DriftedShare, double ShareThreshold,
        bool DatasetDrift, bool FdrDrift, bool PredictionDrift, DateTime CreatedAt);

    private sealed record FeatureRow(
        string Feature, string Role, string Kind, string Method, double? Statistic, double? StatisticBound, double? PValue, double Threshold, double Severity,
        bool Drifted, bool FdrRejected, long NRef, long NCur, long? RefSampleSize, long? CurSampleSize, double RefMissingRate, double CurMissingRate, string Statistics, string Bins,
        string NewCategories);
}
