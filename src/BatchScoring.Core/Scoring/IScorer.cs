using BatchScoring.Core.Batches;

namespace BatchScoring.Core.Scoring;

/// <summary>
/// A loaded model. Thread-safe: one instance serves every worker slot of a process.
/// </summary>
public interface IScorer
{
    /// <summary>The columns the model reads, from the model's own input schema.</summary>
    IReadOnlyList<ModelInput> Inputs { get; }

    /// <summary>The columns <see cref="Score"/> produces, in order.</summary>
    IReadOnlyList<ColumnSchema> Outputs { get; }

    /// <summary>Scores every row of the batch; the outputs have the batch's row count.</summary>
    RowBatch Score(RowBatch batch);
}

/// <summary>
/// One column a model reads. <paramref name="Optional"/> inputs (e.g. a label) may be absent from the source;
/// <paramref name="AcceptsMissing"/> says whether the model takes a null or NaN (ML.NET reads NaN as missing).
/// <paramref name="Origin"/>, when the job file chose the column (<c>model.inputs</c>), says where and which model feature it feeds.
/// </summary>
public sealed record ModelInput(string Name, ColumnKind Kind, bool Optional = false, bool AcceptsMissing = true, string? Origin = null);
