using System.ComponentModel.DataAnnotations;

namespace BatchScoring.Worker.Observability.Logging;

/// <summary>How the console sink writes; levels and further sinks stay in the <c>Serilog</c> section.</summary>
internal sealed class LoggingOptions
{
    public const string Section = "Logging";

    /// <summary><c>text</c> (human-readable lines) or <c>json</c> (one compact JSON object per event).</summary>
    [RegularExpression("^(text|json)$", ErrorMessage = "Logging:Format must be 'text' or 'json'.")]
    public string Format { get; set; } = "text";

    /// <summary>The line layout of the <c>text</c> format; <c>{Scope}</c> is the job, run and partition when there is one.</summary>
    [Required]
    public string OutputTemplate { get; set; } = LoggingSetup.DefaultOutputTemplate;
}
