using Serilog.Core;
using Serilog.Events;

namespace BatchScoring.Worker.Observability.Logging;

/// <summary>Masks secrets in every string property, so that sinks configured in <c>Serilog:WriteTo</c> never see them either.</summary>
internal sealed class SecretMaskingEnricher(SecretMasker masker) : ILogEventEnricher
{
    public void Enrich(LogEvent logEvent, ILogEventPropertyFactory propertyFactory)
    {
        foreach (var (name, value) in logEvent.Properties.ToArray())
        {
            var masked = Masked(value);
            if (!ReferenceEquals(masked, value))
                logEvent.AddOrUpdateProperty(new LogEventProperty(name, masked));
        }
    }

    private LogEventPropertyValue Masked(LogEventPropertyValue value) => value switch
    {
        ScalarValue { Value: string text } when masker.Apply(text) is var masked && masked != text => new ScalarValue(masked),
        SequenceValue sequence => Changed(sequence.Elements, out var elements) ? new SequenceValue(elements) : value,
        StructureValue structure => Changed(structure.Properties.Select(p => p.Value).ToArray(), out var values)
            ? new StructureValue(structure.Properties.Zip(values, (p, v) => new LogEventProperty(p.Name, v)), structure.TypeTag)
            : value,
        DictionaryValue dictionary => Changed(dictionary.Elements.Select(e => e.Value).ToArray(), out var entries)
            ? new DictionaryValue(dictionary.Elements.Zip(entries, (e, v) => KeyValuePair.Create(e.Key, v)))
            : value,
        _ => value,
    };

    private bool Changed(IReadOnlyList<LogEventPropertyValue> values, out LogEventPropertyValue[] masked)
    {
        masked = values.Select(Masked).ToArray();
        return masked.Where((m, i) => !ReferenceEquals(m, values[i])).Any();
    }
}
