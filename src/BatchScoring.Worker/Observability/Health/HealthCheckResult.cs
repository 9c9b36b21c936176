using System.Text.Json.Serialization;

namespace BatchScoring.Worker.Observability.Health;

/// <summary>One check of <c>/health</c>. Only <see cref="Unhealthy"/> makes the whole service unhealthy.</summary>
internal sealed record HealthCheckResult(string Status, string Detail)
{
    public const string HealthyStatus = "healthy";
    public const string UnhealthyStatus = "unhealthy";
    public const string NotConfiguredStatus = "not_configured";

    public static HealthCheckResult Healthy(string detail) => new(HealthyStatus, detail);

    public static HealthCheckResult Unhealthy(string detail) => new(UnhealthyStatus, detail);

    public static HealthCheckResult NotConfigured(string detail) => new(NotConfiguredStatus, detail);

    [JsonIgnore]
    public bool IsUnhealthy => Status == UnhealthyStatus;
}

/// <summary>The <c>/health</c> document.</summary>
internal sealed record HealthReport(string Status, IReadOnlyDictionary<string, HealthCheckResult> Checks)
{
    [JsonIgnore]
    public bool IsHealthy => Status == HealthCheckResult.HealthyStatus;
}
