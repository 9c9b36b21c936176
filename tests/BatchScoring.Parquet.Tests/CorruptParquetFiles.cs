using Parquet;
using Parquet.Schema;

namespace BatchScoring.Parquet.Tests;

/// <summary>
/// The shapes of apache/parquet-testing's <c>bad_data/</c>, made from a good file that Parquet.Net writes:
/// an <c>id</c> column and a dictionary-encoded <c>plan</c> column, 2,000 rows in two row groups.
/// </summary>
internal static class CorruptParquetFiles
{
    public const int Rows = 2_000;
    public static async Task WriteGoodAsync(string path)
    {
        var id = new DataField<long>("id");
        var plan = new DataField<string>("plan");
        var options = new ParquetOptions();
        options.ColumnEncodingHints[plan.Path.ToString()] = EncodingHint.Dictionary;
        await using var stream = File.Create(path);
        await using var writer = await ParquetWriter.CreateAsync(new ParquetSchema(id, plan), stream, options);
        for (var g = 0; g < 2; g++)
        {
            using var group = writer.CreateRowGroup();
            var ids = Enumerable.Range(g * Rows / 2, Rows / 2).Select(i => (long)i).ToArray();
            await group.WriteAsync<long>(id, ids.AsMemory());
            await group.WriteAsync(plan, ids.Select(i => i % 3 == 0 ? "basic" : "premium").ToArray());
        }
    }

    /// <summary>Writes a good file at <paramref name="path"/>, then damages it.</summary>
    public static async Task WriteDamagedAsync(string path, string damage)
    {
        await WriteGoodAsync(path);
        var bytes = File.ReadAllBytes(path);
        int dictionaryOffset, dataOffset;
        await using (var reader = await ParquetReader.CreateAsync(path))
        {
            // Parquet.Net puts the dictionary page first in the chunk without setting dictionary_page_offset.
            var plan = reader.Metadata!.RowGroups[0].Columns[1].MetaData!;
            dictionaryOffset = checked((int)(plan.DictionaryPageOffset ?? plan.DataPageOffset));
            dataOffset = checked((int)reader.Metadata.RowGroups[0].Columns[0].MetaData!.DataPageOffset);
        }
        // A Thrift compact PageHeader starts with field 1, the page type: 0x15 then 0 (data page) or 4 (dictionary page, zigzag of 2).
        if (bytes[dataOffset..(dataOffset + 2)] is not [0x15, 0x00] || bytes[dictionaryOffset..(dictionaryOffset + 2)] is not [0x15, 0x04])
            throw new InvalidOperationException("The good file's pages are not where this helper expects them.");
        switch (damage)
        {
            case "truncated-footer":
                bytes = bytes[..^20];
                break;
            case "bad-footer-length":
                // The 4 bytes before the closing PAR1 give the footer's length.
                for (var i = 5; i <= 8; i++)
                    bytes[^i] ^= 0x7F;
                break;
            case "bad-magic":
                bytes[0] = (byte)'X';
                break;
            case "flipped-page-header":
                bytes[dataOffset + 2] ^= 0xFF; // the uncompressed page size
                break;
            case "bad-dictionary-header":
                // The page stays a dictionary page, but its sizes become nonsense.
                for (var i = 2; i < 6; i++)
                    bytes[dictionaryOffset + i] ^= 0xFF;
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(damage), damage, null);
        }
        File.WriteAllBytes(path, bytes);
    }
}
