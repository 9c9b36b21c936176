using BatchScoring.Core.Runs;

namespace BatchScoring.Worker.Execution;

/// <summary>
/// What to run: the trigger, the window (null: the whole source), for backfills which earlier
/// partitions to skip, and how many slots this process gives the run (null: <c>Worker:Slots</c>).
/// </summary>
internal sealed record RunRequest(string Trigger, TimeWindow? Window = null, ReprocessMode Reprocess = ReprocessMode.All, int? Slots = null);
