namespace BatchScoring.Core.Synthetic;

/// <summary>
/// A shifted population for <see cref="SyntheticChurnData.Generate"/>, as a market change would bring:
/// higher monthly charges (and so total charges) and a payment method the reference never saw.
/// </summary>
/// <param name="MonthlyChargesShift">Added to every <c>monthly_charges</c> value (uniform 20..120 by default).</param>
/// <param name="NewPaymentMethod">A <c>payment_method</c> category absent from the default population; null for none.</param>
/// <param name="NewPaymentMethodShare">The share of rows that get <paramref name="NewPaymentMethod"/>.</param>
public sealed record SyntheticDrift(double MonthlyChargesShift, string? NewPaymentMethod, double NewPaymentMethodShare)
{
    /// <summary>The drift the demo's second window shows: +25 on monthly charges, 30 % of rows paying by wallet.</summary>
    public static SyntheticDrift Demo { get; } = new(25, "digital-wallet", 0.3);
}
