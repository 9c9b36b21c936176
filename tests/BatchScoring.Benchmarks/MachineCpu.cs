using System.Diagnostics;
using System.Globalization;

namespace BatchScoring.Benchmarks;

/// <summary>
/// Wall time and the CPU time the whole machine spent meanwhile (this process, the PostgreSQL server and
/// anything else), from <c>/proc/stat</c>: how many cores a measure kept busy. Without <c>/proc</c> the CPU time is null.
/// </summary>
public sealed class MachineCpu
{
    private const double TicksPerSecond = 100; // USER_HZ, 100 on every Linux platform .NET runs on
    private readonly Stopwatch _wall = Stopwatch.StartNew();
    private readonly double? _busyAtStart = BusySeconds();

    public static MachineCpu Start() => new();

    public Timed Stop() => new(_wall.Elapsed, BusySeconds() - _busyAtStart);

    /// <summary>Seconds all cores spent busy since boot: user, nice, system, irq, softirq and steal (not idle or iowait).</summary>
    private static double? BusySeconds()
    {
        if (!File.Exists("/proc/stat"))
            return null;
        var fields = File.ReadLines("/proc/stat").First().Split(' ', StringSplitOptions.RemoveEmptyEntries);
        int[] busy = [1, 2, 3, 6, 7, 8];
        return busy.Where(i => i < fields.Length).Sum(i => long.Parse(fields[i], CultureInfo.InvariantCulture)) / TicksPerSecond;
    }
}

/// <summary>How long a measure took, and the machine's CPU time meanwhile (null where unknown).</summary>
public sealed record Timed(TimeSpan Elapsed, double? CpuSeconds)
{
    public static Timed operator +(Timed a, Timed b) => new(a.Elapsed + b.Elapsed, a.CpuSeconds + b.CpuSeconds);

    /// <summary>Scaled to <paramref name="factor"/> times the work (for an extrapolated sample).</summary>
    public Timed Times(double factor) => new(Elapsed * factor, CpuSeconds * factor);
}
