using System.Text.Json;
using System.Text.Json.Nodes;
using BatchScoring.Core.Runs;

namespace BatchScoring.Worker.Notifications;

/// <summary>
/// The JSON body of a webhook: <c>event</c>, <c>sent_at</c>, the run's fields in snake_case, and
/// <c>links</c>: the SQL that shows the run in the ledger, for whoever is paged.
/// </summary>
internal static class WebhookMessage
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        // Receivers are chat bots and scripts, not HTML pages: keep quotes and apostrophes in error messages readable.
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public static string? EventOf(string runStatus) => runStatus switch
    {
        RunStatus.Failed => NotificationEvents.Failed,
        RunStatus.PartiallyFailed => NotificationEvents.PartiallyFailed,
        RunStatus.Succeeded => NotificationEvents.Succeeded,
        _ => null,
    };

    public static byte[] Create(string eventName, object notification, long runId, DateTime sentAt)
    {
        var body = new JsonObject
        {
            ["event"] = eventName,
            ["sent_at"] = sentAt,
        };
        foreach (var (name, value) in JsonSerializer.SerializeToNode(notification, notification.GetType(), Json)!.AsObject().ToArray())
            body[name] = value?.DeepClone();
        body["links"] = new JsonObject
        {
            ["run_sql"] = $"SELECT * FROM scoring.runs WHERE run_id = {runId}",
            ["partitions_sql"] = $"SELECT * FROM scoring.partitions WHERE run_id = {runId} ORDER BY partition_id",
            ["dead_letters_sql"] = $"SELECT * FROM scoring.dead_letters WHERE run_id = {runId}",
        };
        return JsonSerializer.SerializeToUtf8Bytes(body, Json);
    }
}
