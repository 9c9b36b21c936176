namespace BatchScoring.Worker.Cli;

internal static class ExitCodes
{
    public const int Succeeded = 0;
    /// <summary>The run ran and failed (or partially failed).</summary>
    public const int RunFailed = 1;
    /// <summary>Bad input before any run started: a job file, a missing job, a configuration error.</summary>
    public const int InvalidInput = 2;
    /// <summary>PostgreSQL could not be reached or refused the login (<c>ConnectionStrings:BatchScoring</c>).</summary>
    public const int DatabaseUnavailable = 3;
    public const int Cancelled = 130;
}
