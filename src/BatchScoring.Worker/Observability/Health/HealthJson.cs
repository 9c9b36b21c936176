using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace BatchScoring.Worker.Observability.Health;

/// <summary>
/// The <c>/health/ready</c> document: <c>{"status": …, "checks": {name: {"status", "detail"}}}</c>, statuses
/// <c>healthy</c>, <c>degraded</c>, <c>unhealthy</c>; a process without a scheduler says so as <c>not_configured</c>.
/// </summary>
internal static class HealthJson
{
    public const string SchedulerCheck = "scheduler";

    private static readonly JsonWriterOptions Indented = new() { Indented = true };

    public static async Task WriteAsync(HttpContext context, HealthReport report)
    {
        context.Response.ContentType = "application/json; charset=utf-8";
        await using var json = new Utf8JsonWriter(context.Response.Body, Indented);
        json.WriteStartObject();
        json.WriteString("status", Word(report.Status));
        json.WriteStartObject("checks");
        foreach (var (name, entry) in report.Entries)
            WriteCheck(json, name, Word(entry.Status), entry.Description ?? entry.Exception?.Message ?? "");
        if (!report.Entries.ContainsKey(SchedulerCheck))
            WriteCheck(json, SchedulerCheck, "not_configured", "no scheduler is registered in this process");
        json.WriteEndObject();
        json.WriteEndObject();
    }

    private static void WriteCheck(Utf8JsonWriter json, string name, string status, string detail)
    {
        json.WriteStartObject(name);
        json.WriteString("status", status);
        json.WriteString("detail", detail);
        json.WriteEndObject();
    }

    private static string Word(HealthStatus status) => status switch
    {
        HealthStatus.Healthy => "healthy",
        HealthStatus.Degraded => "degraded",
        _ => "unhealthy",
    };
}
