using BatchScoring.Core.Batches;
using BatchScoring.Core.Drift;
using BatchScoring.Core.Drift.Sketches;

namespace BatchScoring.Testing;

/// <summary>What to plant in generated rows; the defaults are the reference distribution.</summary>
public sealed record Plant
{
    public double AgeShift { get; init; }
    public double IncomeScale { get; init; } = 1;
    public double NewPlanShare { get; init; }
    /// <summary>The category the <see cref="NewPlanShare"/> of rows take, which the reference has never seen.</summary>
    public string NewPlanName { get; init; } = "enterprise";
    public double TenureMissing { get; init; } = 0.02;
    public double ScoreShift { get; init; }
    /// <summary>Shares of basic, standard, premium and family.</summary>
    public double[] PlanWeights { get; init; } = [0.4, 0.3, 0.2, 0.1];
}

/// <summary>Synthetic scored rows: a key, four inputs (numeric, numeric, categorical, numeric with nulls, binary) and two outputs.</summary>
public static class DriftTestData
{
    public static readonly ColumnSchema[] InputSchema =
    [
        new("customer_id", ColumnKind.Int64), new("age", ColumnKind.Float64), new("income", ColumnKind.Float64),
        new("plan", ColumnKind.Text), new("tenure", ColumnKind.Int32), new("has_app", ColumnKind.Boolean),
    ];

    public static readonly ColumnSchema[] OutputSchema = [new("probability", ColumnKind.Float32), new("predicted_label", ColumnKind.Boolean)];

    public static readonly string[] KeyColumns = ["customer_id"];

    /// <summary>The features a model of these columns has (the key is not a feature).</summary>
    public static IEnumerable<FeatureDefinition> Features =>
        DatasetSketch.FeaturesOf(InputSchema.Where(c => c.Name != "customer_id"), OutputSchema);

    public static ScoredBatch Generate(int rows, int seed, long firstKey, Plant plant)
    {
        var random = new Random(seed);
        var input = new RowBatch(InputSchema, rows) { Count = rows };
        var output = new RowBatch(OutputSchema, rows) { Count = rows };
        string[] plans = ["basic", "standard", "premium", "family"];
        var (keys, ages, incomes, planColumn) = (input.Column<long>("customer_id"), input.Column<double>("age"), input.Column<double>("income"), input.Column<string>("plan"));
        var (tenures, hasApp) = (input.Column<int>("tenure"), input.Column<bool>("has_app"));
        var (probabilities, labels) = (output.Column<float>("probability"), output.Column<bool>("predicted_label"));
        for (var i = 0; i < rows; i++)
        {
            keys.Set(i, firstKey + i);
            var age = 40 + 12 * Normal(random) + plant.AgeShift;
            ages.Set(i, age);
            incomes.Set(i, 50_000 + 15_000 * plant.IncomeScale * Normal(random));
            planColumn.Set(i, random.NextDouble() < plant.NewPlanShare ? plant.NewPlanName : Pick(random, plans, plant.PlanWeights));
            if (random.NextDouble() < plant.TenureMissing)
                tenures.SetNull(i);
            else
                tenures.Set(i, random.Next(0, 120));
            hasApp.Set(i, random.NextDouble() < 0.6);
            var logit = (age - 40) / 12 + plant.ScoreShift + 0.5 * Normal(random);
            var probability = 1 / (1 + Math.Exp(-logit));
            probabilities.Set(i, (float)probability);
            labels.Set(i, probability >= 0.5);
        }
        return new ScoredBatch(input, output);
    }

    /// <summary>
    /// A reference built the way production builds one: two passes over the same batches. <paramref name="only"/>
    /// sketches just those columns (the rows are the same), which keeps large seed counts quick.
    /// </summary>
    public static DatasetSketch Reference(int rows, int seed, SketchOptions? options = null, Plant? plant = null, IReadOnlyCollection<string>? only = null)
    {
        var batch = Generate(rows, seed, 0, plant ?? new Plant());
        var hashes = RowKeyHasher.Hash(batch.Input, KeyColumns);
        return DatasetSketch.BuildReferenceAsync(only is null ? Features : Features.Where(f => only.Contains(f.Name)), options ?? SketchOptions.Default, (sketch, _) =>
        {
            sketch.Add(batch, hashes);
            return Task.CompletedTask;
        }, CancellationToken.None).GetAwaiter().GetResult();
    }

    /// <summary>A run's sketch (its own sample salt, as a run's partitions have) of generated rows.</summary>
    public static DatasetSketch Current(DatasetSketch reference, int rows, int seed, Plant plant, long firstKey = 1_000_000)
    {
        var sketch = reference.EmptyCopy(DatasetSketch.RunSalt(seed));
        var batch = Generate(rows, seed, firstKey, plant);
        sketch.Add(batch, RowKeyHasher.Hash(batch.Input, KeyColumns));
        return sketch;
    }

    private static double Normal(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());

    private static string Pick(Random random, string[] values, double[] weights)
    {
        var u = random.NextDouble();
        for (var i = 0; i < values.Length; i++)
        {
            u -= weights[i];
            if (u < 0)
                return values[i];
        }
        return values[^1];
    }
}
