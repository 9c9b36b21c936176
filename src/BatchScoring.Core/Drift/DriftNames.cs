using BatchScoring.Core.Jobs;

namespace BatchScoring.Core.Drift;

/// <summary>The snake_case words the drift tables and the drift report use for roles, kinds and methods.</summary>
public static class DriftNames
{
    private static readonly Dictionary<DriftMethod, string> Methods = new()
    {
        [DriftMethod.KolmogorovSmirnov] = "kolmogorov_smirnov",
        [DriftMethod.Wasserstein] = "wasserstein",
        [DriftMethod.Psi] = "psi",
        [DriftMethod.JensenShannon] = "jensen_shannon",
        [DriftMethod.ChiSquared] = "chi_squared",
        [DriftMethod.LInfinity] = "l_infinity",
        [DriftMethod.ZTest] = "z_test",
    };

    public static string Of(DriftMethod method) => Methods[method];
    public static string Of(FeatureRole role) => role.ToString().ToLowerInvariant();
    public static string Of(FeatureKind kind) => kind.ToString().ToLowerInvariant();

    public static DriftMethod Method(string name) => Methods.Single(p => p.Value == name).Key;
    public static FeatureRole Role(string name) => Enum.Parse<FeatureRole>(name, ignoreCase: true);
    public static FeatureKind Kind(string name) => Enum.Parse<FeatureKind>(name, ignoreCase: true);
}
