using System.Text;
using BatchScoring.Core.Errors;
using BatchScoring.Worker.Reports;

namespace BatchScoring.Worker.Cli;

/// <summary>
/// Where <c>report -o</c> writes: stdout for <c>-</c>, else a file in an existing folder that is new, an
/// earlier drift report of ours (HTML or JSON), or anything with <c>--force</c>. Checked before the report is built.
/// </summary>
internal sealed class ReportDestination
{
    public const string StandardOutput = "-";
    private const int MarkerWindow = 4096;
    private const string JsonMarker = $"\"generator\": \"{DriftReportJson.Generator}\"";

    private readonly string? _path;
    private readonly TextWriter? _stdout;

    private ReportDestination(string? path, TextWriter? stdout)
    {
        _path = path;
        _stdout = stdout;
    }

    /// <summary>Null for stdout.</summary>
    public string? Path => _path;

    public static ReportDestination Check(string given, bool force)
    {
        if (given == StandardOutput)
        {
            // Everything else the process prints (logs included) goes to stderr from here on, so stdout carries the report alone.
            var stdout = Console.Out;
            Console.SetOut(Console.Error);
            return new ReportDestination(null, stdout);
        }
        var path = System.IO.Path.GetFullPath(given);
        if (Directory.Exists(path))
            throw new BatchScoringException($"report -o {given}: {path} is a folder; give a file name, e.g. {System.IO.Path.Combine(given, "drift.html")}.");
        var folder = System.IO.Path.GetDirectoryName(path)!;
        if (!Directory.Exists(folder))
            throw new BatchScoringException($"report -o {given}: the folder {folder} does not exist.");
        if (!force && File.Exists(path) && !IsDriftReport(path))
            throw new BatchScoringException($"report -o {given}: {path} exists and is not a drift report written by batchscoring; not overwritten (--force overwrites it).");
        return new ReportDestination(path, null);
    }

    public async Task WriteAsync(string content, CancellationToken cancellationToken)
    {
        if (_stdout is not null)
        {
            await _stdout.WriteAsync(content);
            await _stdout.FlushAsync(cancellationToken);
            return;
        }
        try
        {
            await File.WriteAllTextAsync(_path!, content, cancellationToken);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new BatchScoringException($"report -o: cannot write {_path}: {e.Message}", e);
        }
    }

    private static bool IsDriftReport(string path)
    {
        try
        {
            using var stream = File.OpenRead(path);
            var head = new byte[MarkerWindow];
            var read = stream.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
            var text = Encoding.UTF8.GetString(head, 0, read);
            return text.Contains(DriftReportHtml.Marker, StringComparison.Ordinal) || text.Contains(JsonMarker, StringComparison.Ordinal);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new BatchScoringException($"report -o: cannot read {path} to check it is a drift report: {e.Message}", e);
        }
    }
}
