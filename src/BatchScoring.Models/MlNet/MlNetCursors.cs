using Microsoft.ML;

namespace BatchScoring.Models.MlNet;

internal static class MlNetCursors
{
    /// <summary>
    /// A cursor that computes the model on the calling thread. <see cref="IDataView.GetRowCursor"/> would split
    /// the batch's single cursor over one ML.NET thread per core and consolidate them again, and those threads
    /// spin-wait for each other while our own score threads already keep the cores busy (docs/BENCHMARKS.md).
    /// Asking for a set of one cursor skips the split.
    /// </summary>
    public static DataViewRowCursor SingleThreaded(IDataView view, IEnumerable<DataViewSchema.Column> needed)
        => view.GetRowCursorSet(needed, 1) is [var cursor] ? cursor
            : throw new InvalidOperationException("ML.NET returned more than one cursor for a set of one.");
}
