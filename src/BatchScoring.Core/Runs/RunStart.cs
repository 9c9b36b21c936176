namespace BatchScoring.Core.Runs;

/// <summary>What a run is about to do, recorded when it starts. <see cref="Window"/> is the source time it scores, if windowed.</summary>
public sealed record RunStart(string JobName, string Trigger, string? ModelName, string? ModelVersion, string? ConfigHash, TimeWindow? Window = null);
