using System.Buffers.Binary;
using System.IO.Hashing;
using System.Text;
using BatchScoring.Core.Batches;

namespace BatchScoring.Core.Scoring;

/// <summary>
/// The 64-bit fingerprint of what a row was scored from: XxHash64, seeded with the model version (<see cref="Seed"/>),
/// over the model's inputs in the model's input order. Per input one marker byte, 0 for null (or an optional input
/// the source lacks) and 1 for a value, then the value's bytes: boolean 1 byte (0/1); int16, int32, int64, float32,
/// float64 little-endian in their width (floats by their IEEE bit pattern); decimal its four 32-bit parts
/// (<see cref="decimal.GetBits(decimal)"/>) little-endian; text the UTF-8 byte count (int32) then the bytes; uuid 16
/// bytes big-endian (RFC 4122 order); date its day number (int32); timestamps their ticks (int64). The same values and
/// model version give the same fingerprint in every process and on every machine; the README documents it.
/// </summary>
public static class InputFingerprint
{
    public static readonly ColumnSchema Column = new("input_fingerprint", ColumnKind.Int64);

    /// <summary>The seed of a model version: XxHash64 (seed 0) of the UTF-8 bytes of <c>name@version</c>.</summary>
    public static long Seed(string modelName, string modelVersion)
        => (long)XxHash64.HashToUInt64(Encoding.UTF8.GetBytes(modelName + "@" + modelVersion));

    /// <summary>The fingerprints of the first <c>into.Length</c> rows of a batch as the model sees it (<see cref="InputBinder.ForModel"/>).</summary>
    public static void Compute(RowBatch batch, IReadOnlyList<ModelInput> inputs, long seed, Span<long> into)
    {
        var columns = inputs.Select(i => batch.TryGetColumn(i.Name, out var c) ? c : null).ToArray();
        var buffer = new byte[columns.Length * 17 + 64];
        for (var row = 0; row < into.Length; row++)
        {
            var length = 0;
            foreach (var column in columns)
                length = Append(ref buffer, length, column, row);
            into[row] = (long)XxHash64.HashToUInt64(buffer.AsSpan(0, length), seed);
        }
    }

    /// <summary>Writes one value (marker and bytes) at <paramref name="at"/>; returns where the next one goes.</summary>
    private static int Append(ref byte[] buffer, int at, BatchColumn? column, int row)
    {
        if (column is BatchColumn<string> t && !t.IsNull(row))
        {
            var size = Encoding.UTF8.GetByteCount(t.Values[row]);
            if (buffer.Length < at + 5 + size)
                Array.Resize(ref buffer, Math.Max(buffer.Length * 2, at + 5 + size));
            buffer[at] = 1;
            BinaryPrimitives.WriteInt32LittleEndian(buffer.AsSpan(at + 1), size);
            return at + 5 + Encoding.UTF8.GetBytes(t.Values[row], buffer.AsSpan(at + 5));
        }
        if (buffer.Length < at + 17)
            Array.Resize(ref buffer, buffer.Length * 2);
        var span = buffer.AsSpan(at + 1);
        if (column is null || column.IsNull(row))
        {
            buffer[at] = 0;
            return at + 1;
        }
        buffer[at] = 1;
        switch (column)
        {
            case BatchColumn<bool> b:
                span[0] = b.Values[row] ? (byte)1 : (byte)0;
                return at + 2;
            case BatchColumn<short> s:
                BinaryPrimitives.WriteInt16LittleEndian(span, s.Values[row]);
                return at + 3;
            case BatchColumn<int> i:
                BinaryPrimitives.WriteInt32LittleEndian(span, i.Values[row]);
                return at + 5;
            case BatchColumn<long> l:
                BinaryPrimitives.WriteInt64LittleEndian(span, l.Values[row]);
                return at + 9;
            case BatchColumn<float> f:
                BinaryPrimitives.WriteSingleLittleEndian(span, f.Values[row]);
                return at + 5;
            case BatchColumn<double> d:
                BinaryPrimitives.WriteDoubleLittleEndian(span, d.Values[row]);
                return at + 9;
            case BatchColumn<decimal> m:
                Span<int> parts = stackalloc int[4];
                decimal.GetBits(m.Values[row], parts);
                for (var p = 0; p < 4; p++)
                    BinaryPrimitives.WriteInt32LittleEndian(span[(p * 4)..], parts[p]);
                return at + 17;
            case BatchColumn<Guid> g:
                g.Values[row].TryWriteBytes(span, bigEndian: true, out _);
                return at + 17;
            case BatchColumn<DateOnly> date:
                BinaryPrimitives.WriteInt32LittleEndian(span, date.Values[row].DayNumber);
                return at + 5;
            case BatchColumn<DateTime> time:
                BinaryPrimitives.WriteInt64LittleEndian(span, time.Values[row].Ticks);
                return at + 9;
            default:
                throw new ArgumentOutOfRangeException(nameof(column), column.Kind, "Unsupported column kind.");
        }
    }
}
