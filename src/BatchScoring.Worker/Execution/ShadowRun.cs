using BatchScoring.Core.Batches;
using BatchScoring.Core.Shadow;
using BatchScoring.Models.Loading;
using BatchScoring.Postgres.Ledger;
using BatchScoring.Postgres.Output;
using Npgsql;

namespace BatchScoring.Worker.Execution;

/// <summary>
/// The challenger's side of a run: scores every batch the champion scored, writes the challenger's
/// outputs to the shadow table (never the main one) and accumulates the agreement with the champion.
/// The shadow table commits on its own connection just before the main output, so a run that fails
/// at its very last commit can leave shadow rows of that run behind; a re-run replaces them.
/// </summary>
public sealed class ShadowRun : IAsyncDisposable
{
    private readonly ScoredTableWriter _writer;

    private ShadowRun(LoadedModel challenger, ScoredTableWriter writer)
    {
        Challenger = challenger;
        _writer = writer;
    }

    public LoadedModel Challenger { get; }
    public ShadowAgreement Agreement { get; } = new();

    public static async Task<ShadowRun> BeginAsync(
        NpgsqlDataSource dataSource, OutputTableSchema schema, LoadedModel challenger, long runId, CancellationToken cancellationToken)
        => new(challenger, await ScoredTableWriter.BeginAsync(dataSource, schema, runId, challenger.Version, cancellationToken));

    /// <summary>Scores <paramref name="batch"/> with the challenger and compares with the champion's <paramref name="championScores"/>.</summary>
    public async Task ScoreAsync(RowBatch batch, RowBatch championScores, CancellationToken cancellationToken)
    {
        var scores = Challenger.Scorer.Score(batch);
        Agreement.Add(championScores, scores);
        await _writer.WriteAsync(new ScoredBatch(batch, scores), cancellationToken);
    }

    public async Task CommitAsync(CancellationToken cancellationToken)
    {
        await _writer.MergeAsync(cancellationToken);
        await _writer.CommitAsync(cancellationToken);
    }

    public ValueTask DisposeAsync() => _writer.DisposeAsync();
}
