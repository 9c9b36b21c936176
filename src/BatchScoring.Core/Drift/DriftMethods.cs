using BatchScoring.Core.Errors;
using BatchScoring.Core.Jobs;

namespace BatchScoring.Core.Drift;

/// <summary>Which methods apply to which kind of feature, the default choice, and thresholds.</summary>
public static class DriftMethods
{
    /// <summary>References up to this many rows are judged by p-value tests; larger ones by distances, which do not flag negligible shifts merely because n is large.</summary>
    public const long PValueTestMaxReferenceRows = 1000;

    public static bool IsPValueTest(DriftMethod method) => method is DriftMethod.KolmogorovSmirnov or DriftMethod.ChiSquared or DriftMethod.ZTest;

    public static DriftMethod PValueTestFor(FeatureKind kind) => kind switch
    {
        FeatureKind.Numeric => DriftMethod.KolmogorovSmirnov,
        FeatureKind.Binary => DriftMethod.ZTest,
        _ => DriftMethod.ChiSquared,
    };

    public static DriftMethod Default(FeatureKind kind, long referenceRows) => referenceRows <= PValueTestMaxReferenceRows
        ? PValueTestFor(kind)
        : kind == FeatureKind.Numeric ? DriftMethod.Wasserstein : DriftMethod.JensenShannon;

    /// <param name="discrete">A numeric column with at most 20 distinct reference values: category methods apply to it too.</param>
    public static bool AppliesTo(DriftMethod method, FeatureKind kind, bool discrete = false) => method switch
    {
        DriftMethod.Auto or DriftMethod.Psi or DriftMethod.JensenShannon => true,
        DriftMethod.KolmogorovSmirnov or DriftMethod.Wasserstein => kind == FeatureKind.Numeric,
        DriftMethod.ChiSquared or DriftMethod.LInfinity => kind != FeatureKind.Numeric || discrete,
        DriftMethod.ZTest => kind == FeatureKind.Binary,
        _ => false,
    };

    /// <summary>
    /// The method and threshold for a feature: its override in the job's drift section, else the defaults —
    /// those of a categorical feature for a discrete numeric one (at most 20 distinct reference values).
    /// </summary>
    public static (DriftMethod Method, double Threshold) Choose(DriftSpec spec, string feature, FeatureKind kind, bool discrete, long referenceRows)
    {
        var method = DriftMethod.Auto;
        double? threshold = null;
        if (spec.Features.TryGetValue(feature, out var custom))
        {
            if (!AppliesTo(custom.Method, kind, discrete))
                throw new BatchScoringException($"Drift method {custom.Method} of feature '{feature}' does not apply to a {kind.ToString().ToLowerInvariant()} feature.");
            (method, threshold) = (custom.Method, custom.Threshold);
        }
        if (method == DriftMethod.Auto)
            method = Default(discrete ? FeatureKind.Categorical : kind, referenceRows);
        return (method, threshold ?? DefaultThreshold(spec, method));
    }

    public static double DefaultThreshold(DriftSpec spec, DriftMethod method) => method switch
    {
        _ when IsPValueTest(method) => spec.PValueThreshold,
        DriftMethod.Psi => spec.PsiThreshold,
        _ => spec.DistanceThreshold,
    };
}
