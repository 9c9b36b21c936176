using BatchScoring.Core.Batches;

namespace BatchScoring.Core.Synthetic;

/// <summary>
/// A deterministic synthetic customer dataset for the demo, the tests and the benchmarks:
/// a bigint key, an event timestamp spread over several weeks, eight numeric features of
/// several SQL types, two categorical features and a churn label with learnable signal.
/// </summary>
public static class SyntheticChurnData
{
    public static readonly DateTime DefaultStart = new(2026, 9, 1, 0, 0, 0, DateTimeKind.Utc);
    public const int DefaultDays = 42;

    public static readonly string[] NumericFeatures =
        ["tenure_months", "monthly_charges", "total_charges", "support_calls", "days_since_login", "num_products", "avg_session_minutes", "late_payments"];

    public static readonly string[] CategoricalFeatures = ["contract", "payment_method"];

    public const string KeyColumn = "customer_id";
    public const string TimestampColumn = "event_time";
    public const string LabelColumn = "churned";

    private static readonly string[] Contracts = ["month-to-month", "one-year", "two-year"];
    private static readonly string[] PaymentMethods = ["electronic-check", "mailed-check", "bank-transfer", "credit-card"];

    public static IReadOnlyList<ColumnSchema> Schema { get; } =
    [
        new(KeyColumn, ColumnKind.Int64),
        new(TimestampColumn, ColumnKind.TimestampTz),
        new("tenure_months", ColumnKind.Int32),
        new("monthly_charges", ColumnKind.Float64),
        new("total_charges", ColumnKind.Decimal),
        new("support_calls", ColumnKind.Int16),
        new("days_since_login", ColumnKind.Int32),
        new("num_products", ColumnKind.Int32),
        new("avg_session_minutes", ColumnKind.Float32),
        new("late_payments", ColumnKind.Int32),
        new("contract", ColumnKind.Text),
        new("payment_method", ColumnKind.Text),
        new(LabelColumn, ColumnKind.Boolean),
    ];

    /// <summary>The CREATE TABLE column list matching <see cref="Schema"/>.</summary>
    public const string TableDefinition = """
        customer_id bigint PRIMARY KEY,
        event_time timestamptz NOT NULL,
        tenure_months integer,
        monthly_charges double precision,
        total_charges numeric(12,2),
        support_calls smallint,
        days_since_login integer,
        num_products integer,
        avg_session_minutes real,
        late_payments integer,
        contract text,
        payment_method varchar(32),
        churned boolean
        """;

    /// <summary>
    /// Rows <c>firstKey .. firstKey+rows-1</c>, in batches; the same seed always gives the same rows. With
    /// <paramref name="drift"/> the population is shifted (see <see cref="SyntheticDrift"/>); without it the rows are
    /// exactly those of earlier versions.
    /// </summary>
    public static IEnumerable<RowBatch> Generate(long rows, int seed, int batchSize = 10_000, long firstKey = 1,
        DateTime? start = null, int days = DefaultDays, SyntheticDrift? drift = null)
    {
        var random = new Random(seed);
        var origin = start ?? DefaultStart;
        var spanSeconds = days * 86_400L;
        for (long done = 0; done < rows;)
        {
            var size = (int)Math.Min(batchSize, rows - done);
            var batch = new RowBatch(Schema, size) { Count = size };
            for (var row = 0; row < size; row++)
                Fill(batch, row, firstKey + done + row, origin.AddSeconds(random.NextInt64(spanSeconds)), random, drift);
            done += size;
            yield return batch;
        }
    }

    private static void Fill(RowBatch b, int row, long key, DateTime at, Random random, SyntheticDrift? drift)
    {
        var contract = Contracts[Pick(random, 0.55, 0.25)];
        var payment = PaymentMethods[Pick(random, 0.35, 0.2, 0.25)];
        // Drawn only under drift, so the rows of the default population keep their random sequence.
        if (drift is { NewPaymentMethod: { } newMethod } && random.NextDouble() < drift.NewPaymentMethodShare)
            payment = newMethod;
        var tenure = contract == "month-to-month" ? random.Next(1, 36) : random.Next(6, 72);
        var monthly = Math.Round(20 + random.NextDouble() * 100 + (drift?.MonthlyChargesShift ?? 0), 2);
        var support = (short)Math.Min(12, Poisson(random, 1.2));
        var daysSinceLogin = (int)Math.Min(365, -Math.Log(1 - random.NextDouble()) * 20);
        var products = random.Next(1, 6);
        var session = (float)Math.Max(0.5, 12 + Normal(random) * 6);
        var late = Poisson(random, 0.6);

        var logit = -2.2
            + (contract == "month-to-month" ? 1.3 : contract == "one-year" ? 0.2 : -0.8)
            + (payment == "electronic-check" ? 0.6 : 0)
            - 0.045 * tenure
            + 0.018 * (monthly - 70)
            + 0.38 * support
            + 0.025 * daysSinceLogin
            - 0.25 * products
            - 0.04 * (session - 12)
            + 0.45 * late;
        var churned = random.NextDouble() < 1 / (1 + Math.Exp(-logit));

        b.Column<long>(KeyColumn).Set(row, key);
        b.Column<DateTime>(TimestampColumn).Set(row, at);
        b.Column<int>("tenure_months").Set(row, tenure);
        b.Column<double>("monthly_charges").Set(row, monthly);
        b.Column<decimal>("total_charges").Set(row, Math.Round((decimal)(monthly * tenure), 2));
        b.Column<short>("support_calls").Set(row, support);
        b.Column<int>("days_since_login").Set(row, daysSinceLogin);
        b.Column<int>("num_products").Set(row, products);
        b.Column<float>("avg_session_minutes").Set(row, session);
        b.Column<int>("late_payments").Set(row, late);
        b.Column<string>("contract").Set(row, contract);
        b.Column<string>("payment_method").Set(row, payment);
        b.Column<bool>(LabelColumn).Set(row, churned);
    }

    private static int Pick(Random random, params double[] weights)
    {
        var u = random.NextDouble();
        for (var i = 0; i < weights.Length; i++)
        {
            if (u < weights[i])
                return i;
            u -= weights[i];
        }
        return weights.Length;
    }

    private static int Poisson(Random random, double mean)
    {
        var limit = Math.Exp(-mean);
        var k = 0;
        for (var p = random.NextDouble(); p > limit; p *= random.NextDouble())
            k++;
        return k;
    }

    private static double Normal(Random random)
        => Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
}
