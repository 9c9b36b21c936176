namespace BatchScoring.Core.Drift.Sketches;

/// <summary>
/// Count, mean, sum of squared deviations, min and max of the finite values seen, mergeable by
/// Chan et al.'s parallel update. Merging is exact up to floating-point rounding.
/// </summary>
public sealed class RunningMoments
{
    public long Count { get; set; }
    public double Mean { get; set; }
    /// <summary>Sum of squared deviations from the mean.</summary>
    public double M2 { get; set; }
    public double? Min { get; set; }
    public double? Max { get; set; }

    public double PopulationVariance => Count == 0 ? 0 : M2 / Count;
    public double SampleVariance => Count < 2 ? 0 : M2 / (Count - 1);

    public void Add(double value)
    {
        Count++;
        var delta = value - Mean;
        Mean += delta / Count;
        M2 += delta * (value - Mean);
        Min = Min is { } min ? Math.Min(min, value) : value;
        Max = Max is { } max ? Math.Max(max, value) : value;
    }

    public void Merge(RunningMoments other)
    {
        if (other.Count == 0)
            return;
        if (Count == 0)
        {
            (Count, Mean, M2, Min, Max) = (other.Count, other.Mean, other.M2, other.Min, other.Max);
            return;
        }
        var count = Count + other.Count;
        var delta = other.Mean - Mean;
        Mean += delta * other.Count / count;
        M2 += other.M2 + delta * delta * ((double)Count * other.Count / count);
        Count = count;
        Min = Math.Min(Min!.Value, other.Min!.Value);
        Max = Math.Max(Max!.Value, other.Max!.Value);
    }
}
