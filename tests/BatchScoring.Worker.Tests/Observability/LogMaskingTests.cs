using BatchScoring.Worker.Observability.Logging;
using Serilog.Events;
using Serilog.Parsing;

namespace BatchScoring.Worker.Tests.Observability;

public class LogMaskingTests
{
    private static readonly SecretMasker Masker = new(["hunter2-secret", "webhook-s3cret"]);

    [Theory]
    [InlineData("Host=db;Username=app;Password=abc;Database=x", "Host=db;Username=app;Password=***;Database=x")]
    [InlineData("host=db; PWD = 'quoted pass'; x=1", "host=db; PWD = ***; x=1")]
    [InlineData("signed with webhook-s3cret and hunter2-secret", "signed with *** and ***")]
    [InlineData("nothing secret here", "nothing secret here")]
    public void Masks_passwords_and_known_secrets(string text, string expected) => Assert.Equal(expected, Masker.Apply(text));

    [Fact]
    public void The_text_format_shows_job_run_and_partition_and_masks_the_whole_line_exception_included()
    {
        var logEvent = new LogEvent(DateTimeOffset.UtcNow, LogEventLevel.Error, new InvalidOperationException("login with hunter2-secret failed"),
            new MessageTemplateParser().Parse("Cannot connect to {Target}"),
            [
                new LogEventProperty("Target", new ScalarValue("Host=db;Password=hunter2-secret")),
                new LogEventProperty(LogScope.JobName, new ScalarValue("churn")),
                new LogEventProperty(LogScope.RunId, new ScalarValue(42L)),
                new LogEventProperty(LogScope.PartitionId, new ScalarValue(7L)),
            ]);
        new RunScopeEnricher().Enrich(logEvent, null!);

        using var writer = new StringWriter();
        LoggingSetup.Formatter(json: false, LoggingSetup.DefaultOutputTemplate, Masker).Format(logEvent, writer);
        var line = writer.ToString();

        Assert.Contains("ERR] [churn run 42 partition 7] Cannot connect to", line);
        Assert.Contains("Password=***", line);
        Assert.Contains("login with *** failed", line);
        Assert.DoesNotContain("hunter2", line);
    }
}
