using Microsoft.Extensions.Options;

namespace BatchScoring.Worker.Notifications;

/// <summary>Checks every webhook, naming the setting at fault (data annotations do not look inside lists).</summary>
internal sealed class NotificationOptionsValidator : IValidateOptions<NotificationOptions>
{
    public ValidateOptionsResult Validate(string? name, NotificationOptions options)
    {
        var errors = new List<string>();
        for (var i = 0; i < options.Webhooks.Count; i++)
        {
            var webhook = options.Webhooks[i];
            var key = $"{NotificationOptions.Section}:Webhooks:{i}";
            if (!Uri.TryCreate(webhook.Url, UriKind.Absolute, out var url) || url.Scheme is not ("http" or "https"))
                errors.Add($"{key}:Url must be an absolute http or https URL (got '{webhook.Url}').");
            foreach (var unknown in (webhook.Events ?? []).Where(e => !NotificationEvents.All.Contains(e)))
                errors.Add($"{key}:Events: unknown event '{unknown}' (known: {string.Join(", ", NotificationEvents.All)}).");
        }
        if (options.MaxRetryDelay < options.FirstRetryDelay)
            errors.Add($"{NotificationOptions.Section}:MaxRetryDelay ({options.MaxRetryDelay}) is shorter than FirstRetryDelay ({options.FirstRetryDelay}).");
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
