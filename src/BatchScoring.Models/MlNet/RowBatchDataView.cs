using BatchScoring.Core.Batches;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace BatchScoring.Models.MlNet;

/// <summary>
/// An <see cref="IDataView"/> over one <see cref="RowBatch"/>: each exposed column is converted to
/// its ML.NET type once, as an array, and the cursor hands out array elements, so scoring needs
/// neither a per-job C# class nor an object per row.
/// </summary>
internal sealed class RowBatchDataView : IDataView
{
    private readonly Array[] _columns;
    private readonly int _count;

    public RowBatchDataView(RowBatch batch, IReadOnlyList<InputColumn> columns)
    {
        _count = batch.Count;
        var builder = new DataViewSchema.Builder();
        _columns = new Array[columns.Count];
        for (var i = 0; i < columns.Count; i++)
        {
            var column = columns[i];
            builder.AddColumn(column.Name, column.Type);
            var source = batch[column.SourceColumn];
            _columns[i] = DataViewTypes.KindOf(column.Type) switch
            {
                ColumnKind.Float32 => ColumnConversions.ToNumbers<float>(source, _count),
                ColumnKind.Float64 => ColumnConversions.ToNumbers<double>(source, _count),
                ColumnKind.Text => ColumnConversions.ToText(source, _count),
                ColumnKind.Boolean => ColumnConversions.ToBoolean(source, _count),
                _ => throw new NotSupportedException($"Input {column.Name} has unsupported type {column.Type}."),
            };
        }
        Schema = builder.ToSchema();
    }

    public DataViewSchema Schema { get; }
    public bool CanShuffle => false;
    public long? GetRowCount() => _count;

    public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null) => new Cursor(this);

    public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null)
        => [new Cursor(this)];

    private sealed class Cursor(RowBatchDataView view) : DataViewRowCursor
    {
        private int _position = -1;

        public override DataViewSchema Schema => view.Schema;
        public override long Position => _position;
        public override long Batch => 0;

        public override bool MoveNext()
        {
            if (_position + 1 >= view._count)
                return false;
            _position++;
            return true;
        }

        public override bool IsColumnActive(DataViewSchema.Column column) => true;

        public override ValueGetter<DataViewRowId> GetIdGetter()
            => (ref DataViewRowId value) => value = new DataViewRowId((ulong)_position, 0);

        public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column)
        {
            if (view._columns[column.Index] is not TValue[] values)
                throw new InvalidOperationException($"Column {column.Name} is not of type {typeof(TValue).Name}.");
            return (ref TValue value) => value = values[_position];
        }
    }
}
