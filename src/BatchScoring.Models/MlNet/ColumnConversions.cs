using System.Numerics;
using BatchScoring.Core.Batches;

namespace BatchScoring.Models.MlNet;

/// <summary>
/// Converts a whole batch column to the array type an ML.NET input wants, once per batch.
/// Missing numbers become NaN (ML.NET's missing value), missing text the empty string.
/// ONNX inputs use the same conversions, so both scorers see the same values.
/// </summary>
internal static class ColumnConversions
{
    public static T[] ToNumbers<T>(BatchColumn column, int count) where T : IFloatingPointIeee754<T>
    {
        var result = new T[count];
        switch (column)
        {
            case BatchColumn<float> c: Fill(c.Values, result, count); break;
            case BatchColumn<double> c: Fill(c.Values, result, count); break;
            case BatchColumn<int> c: Fill(c.Values, result, count); break;
            case BatchColumn<long> c: Fill(c.Values, result, count); break;
            case BatchColumn<short> c: Fill(c.Values, result, count); break;
            case BatchColumn<decimal> c: Fill(c.Values, result, count); break;
            case BatchColumn<bool> c:
                for (var i = 0; i < count; i++)
                    result[i] = c.Values[i] ? T.One : T.Zero;
                break;
            default: throw new NotSupportedException($"Column {column.Name} ({column.Kind}) cannot feed a number input.");
        }
        var nulls = column.Nulls;
        for (var i = 0; i < count; i++)
        {
            if (nulls[i])
                result[i] = T.NaN;
        }
        return result;
    }

    public static ReadOnlyMemory<char>[] ToText(BatchColumn column, int count)
    {
        var values = ((BatchColumn<string>)column).Values;
        var result = new ReadOnlyMemory<char>[count];
        for (var i = 0; i < count; i++)
            result[i] = column.Nulls[i] ? ReadOnlyMemory<char>.Empty : values[i].AsMemory();
        return result;
    }

    public static string[] ToStrings(BatchColumn column, int count)
    {
        var values = ((BatchColumn<string>)column).Values;
        var result = new string[count];
        for (var i = 0; i < count; i++)
            result[i] = column.Nulls[i] ? "" : values[i];
        return result;
    }

    /// <summary>Whole numbers (and booleans as 0/1) for int64 inputs; a null gives 0, so such inputs do not accept missing values.</summary>
    public static long[] ToInt64(BatchColumn column, int count)
    {
        var result = new long[count];
        switch (column)
        {
            case BatchColumn<long> c: Array.Copy(c.Values, result, count); break;
            case BatchColumn<int> c: Fill(c.Values, result, count); break;
            case BatchColumn<short> c: Fill(c.Values, result, count); break;
            case BatchColumn<bool> c:
                for (var i = 0; i < count; i++)
                    result[i] = c.Values[i] ? 1 : 0;
                break;
            default: throw new NotSupportedException($"Column {column.Name} ({column.Kind}) cannot feed an int64 input.");
        }
        for (var i = 0; i < count; i++)
        {
            if (column.Nulls[i])
                result[i] = 0;
        }
        return result;
    }

    public static bool[] ToBoolean(BatchColumn column, int count)
    {
        var result = new bool[count];
        Array.Copy(((BatchColumn<bool>)column).Values, result, count);
        return result;
    }

    private static void Fill<TIn, TOut>(TIn[] source, TOut[] target, int count)
        where TIn : INumberBase<TIn>
        where TOut : INumberBase<TOut>
    {
        for (var i = 0; i < count; i++)
            target[i] = TOut.CreateSaturating(source[i]);
    }
}
