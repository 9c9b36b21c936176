using System.Runtime.InteropServices;

namespace BatchScoring.Worker.Cli;

/// <summary>
/// Ctrl+C and SIGTERM for the whole process. The first signal cancels <see cref="Stopping"/>, which the verbs
/// take as their cancellation token (a run then stops gracefully, see <c>JobRunner</c>); a second one runs the
/// registered last steps for a moment and exits with 130 at once.
/// </summary>
internal sealed class ConsoleSignals : IDisposable
{
    private static readonly TimeSpan LastStepsTimeout = TimeSpan.FromSeconds(2);
    private readonly CancellationTokenSource _stopping = new();
    private readonly PosixSignalRegistration[] _registrations;
    private readonly List<Func<CancellationToken, Task>> _lastSteps = [];
    private int _signals;

    public ConsoleSignals() => _registrations =
    [
        PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal),
        PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal),
    ];

    public CancellationToken Stopping => _stopping.Token;

    /// <summary>Something to do, briefly, before a forced exit (e.g. give back the leases this process holds).</summary>
    public void OnForcedExit(Func<CancellationToken, Task> step)
    {
        lock (_lastSteps)
            _lastSteps.Add(step);
    }

    private void OnSignal(PosixSignalContext context)
    {
        context.Cancel = true;
        if (Interlocked.Increment(ref _signals) == 1)
        {
            Console.Error.WriteLine($"{context.Signal}: stopping (press Ctrl+C again to exit at once)");
            _stopping.Cancel();
            return;
        }
        Console.Error.WriteLine($"{context.Signal} again: exiting now; the run's cancellation is already recorded in the ledger.");
        Func<CancellationToken, Task>[] steps;
        lock (_lastSteps)
            steps = [.. _lastSteps];
        using var timeout = new CancellationTokenSource(LastStepsTimeout);
        try
        {
            Task.WaitAll(steps.Select(step => step(timeout.Token)).ToArray(), LastStepsTimeout);
        }
        catch (AggregateException)
        {
            // Best effort: what is not released here, the lease expiry and the next claim clean up.
        }
        Environment.Exit(ExitCodes.Cancelled);
    }

    public void Dispose()
    {
        foreach (var registration in _registrations)
            registration.Dispose();
        _stopping.Dispose();
    }
}
