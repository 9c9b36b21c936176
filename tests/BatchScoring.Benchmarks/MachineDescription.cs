using System.Runtime.InteropServices;

namespace BatchScoring.Benchmarks;

/// <summary>What the figures were measured on.</summary>
public static class MachineDescription
{
    public static string Describe()
    {
        var cpu = ReadProc("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim() ?? "unknown CPU";
        var memory = ReadProc("/proc/meminfo").FirstOrDefault(l => l.StartsWith("MemTotal:", StringComparison.Ordinal)) is { } line
            ? $"{long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]) / (1024.0 * 1024):0.0} GiB"
            : "unknown";
        return $"{Environment.ProcessorCount} cores ({cpu}), {memory} memory, {RuntimeInformation.OSDescription} {RuntimeInformation.OSArchitecture}, {RuntimeInformation.FrameworkDescription}";
    }

    /// <summary>The 1-minute load average, to tell whether something else was using the machine.</summary>
    public static string LoadAverage() => ReadProc("/proc/loadavg").FirstOrDefault()?.Split(' ')[0] ?? "unknown";

    private static IEnumerable<string> ReadProc(string path) => File.Exists(path) ? File.ReadLines(path) : [];
}
