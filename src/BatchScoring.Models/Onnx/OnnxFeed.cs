using BatchScoring.Core.Batches;
using BatchScoring.Models.MlNet;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace BatchScoring.Models.Onnx;

/// <summary>
/// One ONNX input and the batch columns that fill it: one column as <c>[N]</c> or <c>[N,1]</c>, or F columns
/// side by side as <c>[N,F]</c> (row-major, in the model's feature order).
/// </summary>
internal sealed class OnnxFeed(string name, TensorElementType type, bool columnDimension, string[] columns)
{
    public string Name => name;
    public IReadOnlyList<string> Columns => columns;

    public OrtValue ToTensor(RowBatch batch)
    {
        var count = batch.Count;
        long[] shape = columnDimension || columns.Length > 1 ? [count, columns.Length] : [count];
        return type switch
        {
            TensorElementType.Float => OrtValue.CreateTensorValueFromMemory(Interleave(batch, ColumnConversions.ToNumbers<float>), shape),
            TensorElementType.Double => OrtValue.CreateTensorValueFromMemory(Interleave(batch, ColumnConversions.ToNumbers<double>), shape),
            TensorElementType.Int64 => OrtValue.CreateTensorValueFromMemory(Interleave(batch, ColumnConversions.ToInt64), shape),
            TensorElementType.Bool => OrtValue.CreateTensorValueFromMemory(Interleave(batch, ColumnConversions.ToBoolean), shape),
            TensorElementType.String => OrtValue.CreateFromStringTensor(new DenseTensor<string>(Interleave(batch, ColumnConversions.ToStrings), shape.Select(d => (int)d).ToArray())),
            _ => throw new NotSupportedException($"ONNX input {name} of type {type}."),
        };
    }

    private T[] Interleave<T>(RowBatch batch, Func<BatchColumn, int, T[]> convert)
    {
        var count = batch.Count;
        if (columns.Length == 1)
            return convert(batch[columns[0]], count);
        var width = columns.Length;
        var values = new T[count * width];
        for (var c = 0; c < width; c++)
        {
            var column = convert(batch[columns[c]], count);
            for (var row = 0; row < count; row++)
                values[row * width + c] = column[row];
        }
        return values;
    }
}
