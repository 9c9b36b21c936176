using System.Buffers.Binary;
using System.Text;
using BatchScoring.Core.Batches;
using BatchScoring.Core.Scoring;

namespace BatchScoring.Postgres.Copy;

/// <summary>
/// Parses PostgreSQL's binary COPY format from Npgsql's raw COPY stream straight into <see cref="RowBatch"/>
/// columns, decoding values as Npgsql does (infinities included) but without its per-value calls, and
/// without a string per row for repeated short texts (categories are decoded once per column, see
/// <see cref="TextCache"/>). The counterpart of <see cref="BinaryCopyBuffer"/>.
/// </summary>
internal sealed class BinaryCopyReader(Stream stream)
{
    private const int HeaderLength = 19; // signature (11), flags (4), header extension length (4)
    private static readonly long PostgresEpochTicks = new DateTime(2000, 1, 1, 0, 0, 0, DateTimeKind.Utc).Ticks;
    private static readonly int PostgresEpochDay = new DateOnly(2000, 1, 1).DayNumber;
    private static readonly UInt128 MaxDecimalMantissa = ((UInt128)1 << 96) - 1;
    private static readonly UInt128[] PowersOf10 = Enumerable.Range(0, 29).Select(e => Enumerable.Repeat((UInt128)10, e).Aggregate((UInt128)1, (a, b) => a * b)).ToArray();

    /// <summary>Stores one value (<paramref name="isNull"/>: a SQL null) into its column at <paramref name="row"/>.</summary>
    private delegate void ValueReader(ReadOnlySpan<byte> value, bool isNull, int row);

    private readonly Dictionary<string, TextCache> _texts = new(StringComparer.Ordinal);
    private byte[] _buffer = new byte[128 * 1024];
    private int _start;
    private int _end;
    private bool _headerRead;
    private bool _finished;

    private List<BadRow>? _unreadable;

    /// <summary>
    /// Reads up to <paramref name="batch"/>'s capacity rows; returns false when the export is exhausted and no row was read.
    /// A value that cannot be decoded is left null and its row listed in <see cref="RowBatch.Unreadable"/>.
    /// </summary>
    public async Task<bool> FillAsync(RowBatch batch, CancellationToken cancellationToken)
    {
        _unreadable = null;
        var readers = batch.Columns.Select(ReaderFor).ToArray();
        var row = 0;
        while (row < batch.Capacity && !_finished)
        {
            if (!_headerRead)
            {
                if (!await EnsureAsync(HeaderLength, cancellationToken))
                    throw new InvalidDataException("The COPY stream ended before its header.");
                var extension = BinaryPrimitives.ReadInt32BigEndian(_buffer.AsSpan(_start + 15));
                if (!await EnsureAsync(HeaderLength + extension, cancellationToken))
                    throw new InvalidDataException("The COPY stream ended inside its header.");
                _start += HeaderLength + extension;
                _headerRead = true;
            }
            var length = CompleteRowLength(readers.Length);
            if (length < 0)
            {
                if (!await EnsureAsync(_end - _start + 1, cancellationToken))
                    throw new InvalidDataException("The COPY stream ended inside a row.");
                continue;
            }
            if (length == 2 && BinaryPrimitives.ReadInt16BigEndian(_buffer.AsSpan(_start)) == -1)
            {
                // Read on to the end of the COPY, so that the connection is ready for its next command.
                while (await stream.ReadAsync(_buffer, cancellationToken) > 0)
                {
                }
                _finished = true;
                break;
            }
            ReadRow(readers, row++);
            _start += length;
        }
        batch.Count = row;
        batch.Unreadable = _unreadable;
        return row > 0;
    }

    /// <summary>The bytes of the row (or trailer) at the start of the buffer, or -1 when it is not all there yet.</summary>
    private int CompleteRowLength(int expectedFields)
    {
        var span = _buffer.AsSpan(_start, _end - _start);
        if (span.Length < 2)
            return -1;
        var fields = BinaryPrimitives.ReadInt16BigEndian(span);
        if (fields == -1)
            return 2;
        if (fields != expectedFields)
            throw new InvalidDataException($"A COPY row has {fields} values where {expectedFields} columns were asked for.");
        var position = 2;
        for (var f = 0; f < fields; f++)
        {
            if (span.Length < position + 4)
                return -1;
            var length = BinaryPrimitives.ReadInt32BigEndian(span[position..]);
            position += 4 + Math.Max(length, 0);
            if (span.Length < position)
                return -1;
        }
        return position;
    }

    private void ReadRow(ValueReader[] readers, int row)
    {
        var position = _start + 2;
        foreach (var reader in readers)
        {
            var length = BinaryPrimitives.ReadInt32BigEndian(_buffer.AsSpan(position));
            position += 4;
            reader(_buffer.AsSpan(position, Math.Max(length, 0)), length < 0, row);
            position += Math.Max(length, 0);
        }
    }

    /// <summary>Makes at least <paramref name="bytes"/> unread bytes available; false when the stream ends first.</summary>
    private async Task<bool> EnsureAsync(int bytes, CancellationToken cancellationToken)
    {
        if (_end - _start >= bytes)
            return true;
        if (_start > 0)
        {
            _buffer.AsSpan(_start, _end - _start).CopyTo(_buffer);
            _end -= _start;
            _start = 0;
        }
        if (bytes > _buffer.Length)
            Array.Resize(ref _buffer, Math.Max(bytes, _buffer.Length * 2));
        while (_end < bytes)
        {
            var read = await stream.ReadAsync(_buffer.AsMemory(_end), cancellationToken);
            if (read == 0)
                return false;
            _end += read;
        }
        return true;
    }

    private ValueReader ReaderFor(BatchColumn column) => column switch
    {
        BatchColumn<bool> c => Typed(c, default(BooleanDecoder)),
        BatchColumn<short> c => Typed(c, default(Int16Decoder)),
        BatchColumn<int> c => Typed(c, default(Int32Decoder)),
        BatchColumn<long> c => Typed(c, default(Int64Decoder)),
        BatchColumn<float> c => Typed(c, default(Float32Decoder)),
        BatchColumn<double> c => Typed(c, default(Float64Decoder)),
        BatchColumn<decimal> c => Typed(c, default(NumericDecoder)),
        BatchColumn<string> c => Typed(c, new TextDecoder(TextCacheFor(c.Name))),
        BatchColumn<Guid> c => Typed(c, default(UuidDecoder)),
        BatchColumn<DateOnly> c => Typed(c, default(DateDecoder)),
        BatchColumn<DateTime> c => Typed(c, new TimestampDecoder(c.Kind == ColumnKind.TimestampTz ? DateTimeKind.Utc : DateTimeKind.Unspecified)),
        _ => throw new NotSupportedException($"Column {column.Name}: {column.Kind} cannot be read from COPY."),
    };

    private TextCache TextCacheFor(string column)
    {
        if (!_texts.TryGetValue(column, out var cache))
            _texts[column] = cache = new TextCache();
        return cache;
    }

    /// <summary>Decodes one non-null value; a struct, so that <see cref="Typed{T, TDecoder}"/> is compiled for each with the decoding inlined.</summary>
    private interface IDecoder<out T>
    {
        T Decode(ReadOnlySpan<byte> value);
    }

    private ValueReader Typed<T, TDecoder>(BatchColumn<T> column, TDecoder decoder) where TDecoder : struct, IDecoder<T>
    {
        var values = column.Values;
        var nulls = column.Nulls;
        return (value, isNull, row) =>
        {
            if (isNull)
            {
                values[row] = default!;
                nulls[row] = true;
                return;
            }
            try
            {
                values[row] = decoder.Decode(value);
                nulls[row] = false;
            }
            catch (Exception e) when (e is OverflowException or InvalidCastException or ArgumentException or InvalidDataException)
            {
                values[row] = default!;
                nulls[row] = true;
                (_unreadable ??= []).Add(new BadRow(row, column.Name, "read",
                    $"column '{column.Name}' ({column.Schema.SourceType ?? column.Kind.ToString()}): the value cannot be read as {typeof(T).Name} ({e.Message}){OutOfRangeHint(column.Kind)}"));
            }
        };
    }

    private readonly struct BooleanDecoder : IDecoder<bool>
    {
        public bool Decode(ReadOnlySpan<byte> value) => value[0] != 0;
    }

    private readonly struct Int16Decoder : IDecoder<short>
    {
        public short Decode(ReadOnlySpan<byte> value) => BinaryPrimitives.ReadInt16BigEndian(value);
    }

    private readonly struct Int32Decoder : IDecoder<int>
    {
        public int Decode(ReadOnlySpan<byte> value) => BinaryPrimitives.ReadInt32BigEndian(value);
    }

    private readonly struct Int64Decoder : IDecoder<long>
    {
        public long Decode(ReadOnlySpan<byte> value) => BinaryPrimitives.ReadInt64BigEndian(value);
    }

    private readonly struct Float32Decoder : IDecoder<float>
    {
        public float Decode(ReadOnlySpan<byte> value) => BinaryPrimitives.ReadSingleBigEndian(value);
    }

    private readonly struct Float64Decoder : IDecoder<double>
    {
        public double Decode(ReadOnlySpan<byte> value) => BinaryPrimitives.ReadDoubleBigEndian(value);
    }

    private readonly struct UuidDecoder : IDecoder<Guid>
    {
        public Guid Decode(ReadOnlySpan<byte> value) => new(value, bigEndian: true);
    }

    private readonly struct DateDecoder : IDecoder<DateOnly>
    {
        public DateOnly Decode(ReadOnlySpan<byte> value) => BinaryPrimitives.ReadInt32BigEndian(value) switch
        {
            int.MinValue => DateOnly.MinValue,
            int.MaxValue => DateOnly.MaxValue,
            var days => DateOnly.FromDayNumber(PostgresEpochDay + days),
        };
    }

    private readonly struct TimestampDecoder(DateTimeKind kind) : IDecoder<DateTime>
    {
        public DateTime Decode(ReadOnlySpan<byte> value) => BinaryPrimitives.ReadInt64BigEndian(value) switch
        {
            long.MinValue => DateTime.SpecifyKind(DateTime.MinValue, kind),
            long.MaxValue => DateTime.SpecifyKind(DateTime.MaxValue, kind),
            var microseconds => new DateTime(PostgresEpochTicks + microseconds * 10, kind),
        };
    }

    private readonly struct TextDecoder(TextCache cache) : IDecoder<string>
    {
        public string Decode(ReadOnlySpan<byte> value) => cache.Decode(value);
    }

    private static string OutOfRangeHint(ColumnKind kind) => kind == ColumnKind.Decimal
        ? ": numeric values must fit .NET decimal (about ±7.9e28, at most 28 decimal places, no NaN or Infinity); cast or round the column in a source query"
        : "";

    /// <summary>
    /// A <c>numeric</c>: base-10000 digits with a weight (the power of 10000 of the first digit), a sign and a display
    /// scale; the value is rebuilt as an unscaled integer at that scale. NaN, infinities, more than 28 decimal places
    /// and values beyond decimal's 96 bits are refused, as Npgsql refuses them.
    /// </summary>
    private readonly struct NumericDecoder : IDecoder<decimal>
    {
        public decimal Decode(ReadOnlySpan<byte> value) => ReadNumeric(value);
    }

    private static decimal ReadNumeric(ReadOnlySpan<byte> value)
    {
        var digits = BinaryPrimitives.ReadInt16BigEndian(value);
        var weight = BinaryPrimitives.ReadInt16BigEndian(value[2..]);
        var sign = (ushort)BinaryPrimitives.ReadInt16BigEndian(value[4..]);
        var scale = BinaryPrimitives.ReadInt16BigEndian(value[6..]);
        if (sign is not (0x0000 or 0x4000))
            throw new InvalidCastException(sign == 0xC000 ? "NaN cannot be a decimal" : "Infinity cannot be a decimal");
        if (scale > 28)
            throw new OverflowException($"{scale} decimal places are more than decimal's 28");

        UInt128 unscaled = 0;
        for (var i = 0; i < digits; i++)
        {
            var digit = (uint)BinaryPrimitives.ReadInt16BigEndian(value[(8 + 2 * i)..]);
            // The digit's place in units of 10^-scale is 10^(4 × (weight - i) + scale); a digit of at most 9999
            // places four or more below the last kept decimal contributes nothing.
            var exponent = 4 * (weight - i) + scale;
            if (digit == 0 || exponent <= -4)
                continue;
            if (exponent > 28)
                throw new OverflowException("the value is beyond decimal's range");
            unscaled += exponent < 0 ? digit / PowersOf10[-exponent] : digit * PowersOf10[exponent];
            if (unscaled > MaxDecimalMantissa)
                throw new OverflowException("the value is beyond decimal's range");
        }
        return new decimal((int)(uint)unscaled, (int)(uint)(unscaled >> 32), (int)(uint)(unscaled >> 64), sign == 0x4000, (byte)scale);
    }


    /// <summary>
    /// Decodes UTF-8 text, reusing the string of a value seen before in the same column: short repeated values
    /// (categories) then cost a hash and a comparison, not an allocation. At most <see cref="MaxCached"/> distinct
    /// values of up to <see cref="MaxCachedBytes"/> bytes are kept per column (open addressing); others are decoded each time.
    /// </summary>
    private sealed class TextCache
    {
        private const int MaxCached = 1024;
        private const int MaxCachedBytes = 64;
        private readonly Entry[] _entries = new Entry[2 * MaxCached];
        private int _cached;

        private readonly record struct Entry(int Hash, byte[] Bytes, string Text);

        public string Decode(ReadOnlySpan<byte> value)
        {
            if (value.Length > MaxCachedBytes)
                return Encoding.UTF8.GetString(value);
            var hash = Hash(value);
            var mask = _entries.Length - 1;
            var slot = hash & mask;
            for (; _entries[slot].Text is { } text; slot = (slot + 1) & mask)
            {
                if (_entries[slot].Hash == hash && value.SequenceEqual(_entries[slot].Bytes))
                    return text;
            }
            var decoded = Encoding.UTF8.GetString(value);
            if (_cached < MaxCached)
            {
                _entries[slot] = new Entry(hash, value.ToArray(), decoded);
                _cached++;
            }
            return decoded;
        }

        private static int Hash(ReadOnlySpan<byte> value)
        {
            var hash = 2166136261u; // FNV-1a
            foreach (var b in value)
                hash = (hash ^ b) * 16777619u;
            return (int)(hash & int.MaxValue);
        }
    }
}
