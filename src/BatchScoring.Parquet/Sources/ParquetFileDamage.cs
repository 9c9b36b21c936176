using System.Text;
using BatchScoring.Core.Errors;

namespace BatchScoring.Parquet.Sources;

/// <summary>
/// Errors for Parquet files that cannot be read, naming the file. The library's messages can quote the
/// bytes it found, so a file's content never reaches a message: the magic bytes are checked here, and a
/// reason is cut to printable ASCII of bounded length.
/// </summary>
internal static class ParquetFileDamage
{
    private const int MaxReasonLength = 200;
    private static readonly byte[] Magic = "PAR1"u8.ToArray();

    /// <summary>Why the file at <paramref name="path"/> could not be opened (its footer read).</summary>
    public static BatchScoringException Describe(string path, Exception e)
    {
        try
        {
            using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            var head = new byte[4];
            var tail = new byte[4];
            var headRead = file.ReadAtLeast(head, 4, throwOnEndOfStream: false);
            if (headRead < 4 || !head.AsSpan().SequenceEqual(Magic))
                return new BatchScoringException($"not a Parquet file: {path} (it does not start with the magic bytes PAR1)", e);
            if (file.Length < 12)
                return new BatchScoringException($"Parquet file {path} is truncated: {file.Length} bytes, too short for a footer", e);
            file.Seek(-4, SeekOrigin.End);
            file.ReadExactly(tail);
            if (!tail.AsSpan().SequenceEqual(Magic))
                return new BatchScoringException($"Parquet file {path} is truncated or damaged: it does not end with the magic bytes PAR1 (footer missing)", e);
        }
        catch (Exception io) when (io is IOException or UnauthorizedAccessException)
        {
            return new BatchScoringException($"Parquet file {path} cannot be opened: {Reason(io)}", e);
        }
        return new BatchScoringException($"Parquet file {path} has a damaged footer: {Reason(e)}", e);
    }

    /// <summary>An exception's message as printable ASCII of at most <see cref="MaxReasonLength"/> characters, on one line.</summary>
    public static string Reason(Exception e)
    {
        var reason = new StringBuilder(Math.Min(e.Message.Length, MaxReasonLength));
        foreach (var c in e.Message)
        {
            if (reason.Length == MaxReasonLength)
                return reason.Append('…').ToString();
            reason.Append(c is >= ' ' and <= '~' ? c : '?');
        }
        return $"{reason} ({e.GetType().Name})";
    }
}
