using System.ComponentModel.DataAnnotations;

namespace BatchScoring.Worker.Observability;

/// <summary>The HTTP endpoint the <c>worker</c> verb serves <c>/metrics</c> and <c>/health</c> on.</summary>
internal sealed class ObservabilityOptions
{
    public const string Section = "Observability";

    /// <summary>
    /// <c>http://host:port</c>; empty turns the endpoint off. <c>http://+:9464</c> listens on every
    /// interface (inside a container); the default only on the loopback interface.
    /// </summary>
    public string MetricsAddress { get; set; } = "http://127.0.0.1:9464";

    /// <summary>Longest each health check may take before it counts as unhealthy.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:05:00")]
    public TimeSpan HealthTimeout { get; set; } = TimeSpan.FromSeconds(5);
}
