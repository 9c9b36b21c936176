using Serilog.Core;
using Serilog.Events;

namespace BatchScoring.Worker.Observability.Logging;

/// <summary>
/// Adds <c>Scope</c>, e.g. <c> [churn run 42 partition 7]</c>, for the text format's template: a
/// line shows which job, run and partition it belongs to, and nothing outside a run.
/// </summary>
internal sealed class RunScopeEnricher : ILogEventEnricher
{
    public const string PropertyName = "Scope";

    public void Enrich(LogEvent logEvent, ILogEventPropertyFactory propertyFactory)
    {
        var parts = new List<string>(3);
        if (Text(logEvent, LogScope.JobName) is { } job)
            parts.Add(job);
        if (Text(logEvent, LogScope.RunId) is { } run)
            parts.Add("run " + run);
        if (Text(logEvent, LogScope.PartitionId) is { } partition)
            parts.Add("partition " + partition);
        if (parts.Count > 0)
            logEvent.AddPropertyIfAbsent(new LogEventProperty(PropertyName, new ScalarValue(" [" + string.Join(' ', parts) + "]")));
    }

    private static string? Text(LogEvent logEvent, string name)
        => logEvent.Properties.TryGetValue(name, out var value) && value is ScalarValue { Value: { } scalar } ? Convert.ToString(scalar, System.Globalization.CultureInfo.InvariantCulture) : null;
}
