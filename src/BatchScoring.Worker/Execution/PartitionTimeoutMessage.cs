using System.Globalization;

namespace BatchScoring.Worker.Execution;

/// <summary>
/// The error of a partition stopped by its <c>partition_timeout</c>: the worker's timer, or the server's
/// <c>statement_timeout</c> that sources set to the same limit, whichever fired first.
/// </summary>
internal static class PartitionTimeoutMessage
{
    public static string For(string jobName, TimeSpan timeout, string partitionKey)
        => $"partition_timeout {Format(timeout)} of job {jobName} exceeded while scoring partition {partitionKey}";

    private static string Format(TimeSpan timeout)
    {
        if (timeout.TotalSeconds < 60 || timeout.TotalSeconds % 60 != 0)
            return timeout.TotalSeconds.ToString(CultureInfo.InvariantCulture) + "s";
        return timeout.TotalMinutes % 60 == 0 ? timeout.TotalHours.ToString(CultureInfo.InvariantCulture) + "h" : timeout.TotalMinutes.ToString(CultureInfo.InvariantCulture) + "m";
    }
}
