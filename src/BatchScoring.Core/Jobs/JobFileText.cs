using System.Buffers;
using System.Text.Unicode;

namespace BatchScoring.Core.Jobs;

/// <summary>
/// A job file's bytes as text: at most <see cref="MaxBytes"/> are read, and they must be UTF-8
/// (an invalid byte is reported at its line and column rather than replaced).
/// </summary>
public static class JobFileText
{
    public const int MaxBytes = 1024 * 1024;

    /// <summary>At most <see cref="MaxBytes"/> + 1 bytes of the file, so a larger file is known to be too large without reading it all.</summary>
    public static byte[] ReadBounded(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        var buffer = new byte[(int)Math.Min(stream.Length, MaxBytes) + 1];
        var read = stream.ReadAtLeast(buffer, buffer.Length, throwOnEndOfStream: false);
        return buffer[..read];
    }

    public static JobFileError TooLarge(string filePath)
        => new(filePath, 1, 1, $"the file is larger than {MaxBytes} bytes (1 MiB), the limit for a job file");

    /// <summary>The text of <paramref name="bytes"/>, or the error that makes them no job file.</summary>
    public static (string? Text, JobFileError? Error) Decode(ReadOnlySpan<byte> bytes, string filePath)
    {
        if (bytes.Length > MaxBytes)
            return (null, TooLarge(filePath));
        if (bytes.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]))
            bytes = bytes[3..];
        var chars = new char[bytes.Length];
        var status = Utf8.ToUtf16(bytes, chars, out var bytesRead, out var written, replaceInvalidSequences: false);
        if (status == OperationStatus.Done)
            return (new string(chars, 0, written), null);
        var before = new string(chars, 0, written);
        var line = before.Count(c => c == '\n') + 1;
        var column = written - (before.LastIndexOf('\n') + 1) + 1;
        return (null, new JobFileError(filePath, line, column, $"the file is not UTF-8 text: invalid byte 0x{bytes[bytesRead]:X2}"));
    }
}
