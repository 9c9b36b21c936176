namespace BatchScoring.Worker.Reports;

/// <summary>Axis ticks at round steps (1, 2, 2.5 or 5 × 10^k) from 0 to at least the largest value, at most five of them.</summary>
internal static class ChartTicks
{
    private static readonly double[] Factors = [1, 2, 2.5, 5, 10];

    /// <param name="integers">Only whole steps (for an axis of powers of ten).</param>
    public static double[] UpTo(double max, bool integers = false)
    {
        if (!(max > 0))
            max = 1;
        var magnitude = Math.Pow(10, Math.Floor(Math.Log10(max / 4)));
        foreach (var step in Factors.Select(f => f * magnitude).Concat(Factors.Select(f => f * magnitude * 10)))
        {
            if (integers && (step < 1 || step != Math.Floor(step)))
                continue;
            var count = (int)Math.Ceiling(max / step - 1e-9);
            if (count <= 4)
                return Enumerable.Range(0, count + 1).Select(i => i * step).ToArray();
        }
        throw new InvalidOperationException($"No ticks for {max}.");
    }
}
