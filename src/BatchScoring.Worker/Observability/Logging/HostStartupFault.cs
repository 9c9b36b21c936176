using Serilog.Events;

namespace BatchScoring.Worker.Observability.Logging;

/// <summary>
/// The host's own "Hosting failed to start" event. The exception it carries is rethrown to the verb, whose
/// CLI policy reports it once (one line for an expected failure, a fatal log otherwise), so the host's copy,
/// stack and all, is left out.
/// </summary>
internal static class HostStartupFault
{
    private const string HostCategory = "Microsoft.Extensions.Hosting.Internal.Host";
    private const string EventName = "HostedServiceStartupFaulted";

    public static bool Matches(LogEvent logEvent)
        => logEvent.Properties.TryGetValue("SourceContext", out var source) && source is ScalarValue { Value: HostCategory }
           && logEvent.Properties.TryGetValue("EventId", out var id) && id is StructureValue eventId
           && eventId.Properties.Any(p => p.Name == "Name" && p.Value is ScalarValue { Value: EventName });
}
