using Serilog.Events;
using Serilog.Formatting;

namespace BatchScoring.Worker.Observability.Logging;

/// <summary>Formats an event with another formatter, then masks secrets in the whole text: message, properties and exception alike.</summary>
internal sealed class MaskingFormatter(ITextFormatter inner, SecretMasker masker) : ITextFormatter
{
    public void Format(LogEvent logEvent, TextWriter output)
    {
        using var buffer = new StringWriter();
        inner.Format(logEvent, buffer);
        output.Write(masker.Apply(buffer.ToString()));
    }
}
