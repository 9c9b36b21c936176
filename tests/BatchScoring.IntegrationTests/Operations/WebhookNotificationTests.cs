using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using BatchScoring.Core.Jobs;
using BatchScoring.Core.Runs;
using BatchScoring.Postgres.Ledger;
using BatchScoring.Postgres.Migrations;
using BatchScoring.Worker.Execution;
using BatchScoring.Worker.Notifications;
using Microsoft.Extensions.DependencyInjection;

namespace BatchScoring.IntegrationTests.Operations;

public class WebhookNotificationTests(ScoringEnvironment env) : IClassFixture<ScoringEnvironment>
{
    private const string Secret = "hook-secret-7f3a";

    [Fact]
    public async Task A_failed_run_reaches_the_webhook_once_after_a_failed_first_delivery_and_the_runs_outcome_is_unaffected()
    {
        await OperationsHelpers.CreateBrokenSourceAsync(env, "public.hooked_broken");
        OperationsHelpers.WriteChurnJob(env, "hooked-broken", "public.hooked_broken", "scored.hooked_broken");
        OperationsHelpers.WriteChurnJob(env, "hooked", ScoringEnvironment.SourceTable, "scored.hooked");
        var onFailure = new WebhookReceiver(OperationsHelpers.FreeLoopbackAddress() + "/failures/", 500);
        var onSuccess = new WebhookReceiver(OperationsHelpers.FreeLoopbackAddress() + "/successes/");
        using var receivers = new CompositeDisposable(onFailure, onSuccess);
        var deadPort = OperationsHelpers.FreeLoopbackAddress() + "/nobody-listens/";

        using var host = await env.HostAsync(
            ("Notifications:Webhooks:0:Url", onFailure.Url),
            ("Notifications:Webhooks:0:Secret", Secret),
            ("Notifications:Webhooks:1:Url", onSuccess.Url),
            ("Notifications:Webhooks:1:Events:0", "succeeded"),
            ("Notifications:Webhooks:2:Url", deadPort),
            ("Notifications:Webhooks:2:Events:0", "failed"),
            ("Notifications:Webhooks:2:Events:1", "succeeded"),
            ("Notifications:MaxAttempts", "3"),
            ("Notifications:FirstRetryDelay", "00:00:00.200"));
        await host.Services.GetRequiredService<MigrationRunner>().ApplyAsync(CancellationToken.None);
        var runner = host.Services.GetRequiredService<JobRunner>();
        var notifier = host.Services.GetRequiredService<WebhookNotifier>();

        var failed = await runner.RunAsync(JobSpecLoader.LoadByName(env.Folder, "hooked-broken"), RunTrigger.Manual, CancellationToken.None);
        var succeeded = await runner.RunAsync(JobSpecLoader.LoadByName(env.Folder, "hooked"), RunTrigger.Manual, CancellationToken.None);
        Assert.True(await notifier.WaitForPendingAsync(TimeSpan.FromSeconds(30)));

        // Outcomes are those of the runs themselves, whatever the webhooks answered.
        Assert.Equal(RunStatus.Failed, failed.Status);
        Assert.Equal(RunStatus.Succeeded, succeeded.Status);
        var ledger = host.Services.GetRequiredService<RunLedger>();
        Assert.Equal(RunStatus.Failed, (await ledger.GetAsync(failed.RunId, CancellationToken.None))!.Status);
        Assert.Equal(RunStatus.Succeeded, (await ledger.GetAsync(succeeded.RunId, CancellationToken.None))!.Status);

        // Default events: failures only. First attempt answered 500, the retry was accepted, nothing after it.
        var attempts = onFailure.Requests.ToArray();
        Assert.Equal([500, 200], attempts.Select(a => a.AnsweredWith));
        Assert.Equal(attempts[0].Body, attempts[1].Body);
        Assert.Equal(attempts[0].DeliveryId, attempts[1].DeliveryId);
        Assert.All(attempts, a => Assert.Equal("failed", a.Event));
        var delivered = attempts[1];
        Assert.Equal("sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(Secret), Encoding.UTF8.GetBytes(delivered.Body))),
            delivered.Signature);
        using (var message = JsonDocument.Parse(delivered.Body))
        {
            var root = message.RootElement;
            Assert.Equal("failed", root.GetProperty("event").GetString());
            Assert.Equal("hooked-broken", root.GetProperty("job").GetString());
            Assert.Equal(failed.RunId, root.GetProperty("run_id").GetInt64());
            Assert.Equal("failed", root.GetProperty("status").GetString());
            Assert.Equal("manual", root.GetProperty("trigger").GetString());
            Assert.Contains("'contract'", root.GetProperty("error").GetString());
            Assert.Equal("scored.hooked_broken", root.GetProperty("output_table").GetString());
            Assert.Equal($"SELECT * FROM scoring.runs WHERE run_id = {failed.RunId}", root.GetProperty("links").GetProperty("run_sql").GetString());
        }

        // The opt-in webhook hears of the success only, with the model version and counts.
        var success = Assert.Single(onSuccess.Requests);
        Assert.Equal("succeeded", success.Event);
        Assert.Null(success.Signature);
        using (var message = JsonDocument.Parse(success.Body))
        {
            Assert.Equal(succeeded.RunId, message.RootElement.GetProperty("run_id").GetInt64());
            Assert.Equal(ScoringEnvironment.SourceRows, message.RootElement.GetProperty("rows_scored").GetInt64());
            Assert.False(string.IsNullOrEmpty(message.RootElement.GetProperty("model_version").GetString()));
        }
    }

    [Fact]
    public void Retry_delays_double_from_the_first_delay_up_to_the_maximum()
    {
        var options = Microsoft.Extensions.Options.Options.Create(new NotificationOptions
        {
            FirstRetryDelay = TimeSpan.FromSeconds(2),
            MaxRetryDelay = TimeSpan.FromSeconds(10),
        });
        using var notifier = new WebhookNotifier(options, Microsoft.Extensions.Logging.Abstractions.NullLogger<WebhookNotifier>.Instance, TimeProvider.System);
        Assert.Equal(
            [TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(4), TimeSpan.FromSeconds(8), TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(10)],
            Enumerable.Range(1, 5).Select(notifier.Backoff));
    }

    [Fact]
    public async Task A_misconfigured_webhook_is_refused_naming_the_setting()
    {
        using var host = await env.HostAsync(
            ("Notifications:Webhooks:0:Url", "hooks.example.com/no-scheme"),
            ("Notifications:Webhooks:0:Events:0", "failure"));

        var e = Assert.Throws<Microsoft.Extensions.Options.OptionsValidationException>(
            () => host.Services.GetRequiredService<IRunNotifier>());

        Assert.Contains("Notifications:Webhooks:0:Url must be an absolute http or https URL", e.Message);
        Assert.Contains("Notifications:Webhooks:0:Events: unknown event 'failure'", e.Message);
    }

    private sealed class CompositeDisposable(params IDisposable[] items) : IDisposable
    {
        public void Dispose()
        {
            foreach (var item in items)
                item.Dispose();
        }
    }
}
