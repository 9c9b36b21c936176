using System.Text;

namespace BatchScoring.Worker.Cli;

/// <summary>
/// The terminal's stderr with one status line kept at the bottom: the line is redrawn in place, and anything else
/// written (log lines) clears it first and has it redrawn below. Installed as <see cref="Console.Error"/> while a
/// progress display runs on a terminal.
/// </summary>
internal sealed class LiveLine(TextWriter terminal) : TextWriter
{
    private const string ClearLine = "\r\u001b[2K";
    private readonly Lock _lock = new();
    private string _status = "";

    public override Encoding Encoding => terminal.Encoding;

    public void Show(string status)
    {
        lock (_lock)
        {
            _status = status;
            terminal.Write(ClearLine + status);
            terminal.Flush();
        }
    }

    /// <summary>Leaves the last status as an ordinary line.</summary>
    public void End()
    {
        lock (_lock)
        {
            if (_status.Length > 0)
                terminal.WriteLine(ClearLine + _status);
            _status = "";
            terminal.Flush();
        }
    }

    public override void Write(char value) => Write(value.ToString());

    public override void Write(string? value)
    {
        if (string.IsNullOrEmpty(value))
            return;
        lock (_lock)
        {
            if (_status.Length > 0)
                terminal.Write(ClearLine);
            terminal.Write(value);
            if (_status.Length > 0 && value.EndsWith('\n'))
                terminal.Write(_status);
            terminal.Flush();
        }
    }

    public override void WriteLine(string? value) => Write(value + Environment.NewLine);

    public override void Flush() => terminal.Flush();
}
