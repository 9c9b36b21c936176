using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using BatchScoring.Core.Runs;

namespace BatchScoring.Worker.Notifications;

/// <summary>Webhooks told about finished runs and drift, and how hard delivery tries.</summary>
internal sealed class NotificationOptions
{
    public const string Section = "Notifications";

    public List<WebhookOptions> Webhooks { get; set; } = [];

    /// <summary>Delivery attempts per message and webhook, the first included.</summary>
    [Range(1, 100)]
    public int MaxAttempts { get; set; } = 5;

    /// <summary>Wait before the second attempt; it doubles after each failure up to <see cref="MaxRetryDelay"/>.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "01:00:00")]
    public TimeSpan FirstRetryDelay { get; set; } = TimeSpan.FromSeconds(2);

    [Range(typeof(TimeSpan), "00:00:00", "1.00:00:00")]
    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Longest one HTTP request may take.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:10:00")]
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>At shutdown (or the end of a <c>run</c> verb), how long pending deliveries may still take.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "01:00:00")]
    public TimeSpan ShutdownGrace { get; set; } = TimeSpan.FromSeconds(30);
}

internal sealed class WebhookOptions
{
    public static readonly IReadOnlyList<string> DefaultEvents = [NotificationEvents.Failed, NotificationEvents.PartiallyFailed, NotificationEvents.Drift];

    /// <summary>The http(s) URL messages are POSTed to.</summary>
    public string Url { get; set; } = "";

    /// <summary>
    /// Which events this webhook receives: <c>failed</c>, <c>partially_failed</c>, <c>succeeded</c>,
    /// <c>drift</c>. Null (not configured) means <see cref="DefaultEvents"/>: a list given in
    /// configuration replaces the default rather than adding to it.
    /// </summary>
    [DefaultValue("failed, partially_failed, drift")]
    public List<string>? Events { get; set; }

    /// <summary>When set, each message carries <c>X-BatchScoring-Signature: sha256=HMAC(secret, body)</c>.</summary>
    public string? Secret { get; set; }

    public IReadOnlyList<string> EffectiveEvents => Events is { Count: > 0 } events ? events : DefaultEvents;
}

internal static class NotificationEvents
{
    public const string Failed = RunStatus.Failed;
    public const string PartiallyFailed = RunStatus.PartiallyFailed;
    public const string Succeeded = RunStatus.Succeeded;
    public const string Drift = "drift";

    public static readonly IReadOnlyList<string> All = [Failed, PartiallyFailed, Succeeded, Drift];
}
