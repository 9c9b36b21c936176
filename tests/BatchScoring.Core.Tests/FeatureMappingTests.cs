using BatchScoring.Core.Batches;
using BatchScoring.Core.Errors;
using BatchScoring.Core.Scoring;

namespace BatchScoring.Core.Tests;

public class FeatureMappingTests
{
    private static readonly ColumnSchema[] Source =
    [
        new("id", ColumnKind.Int64),
        new("customer_age", ColumnKind.Int32, "integer"),
        new("plan", ColumnKind.Text, "text"),
    ];

    [Fact]
    public void A_mapped_input_reads_its_source_column_and_the_model_batch_carries_it_under_the_input_name()
    {
        ModelInput[] inputs = [new("age", ColumnKind.Float32), new("plan", ColumnKind.Text)];
        var mapping = new Dictionary<string, string> { ["age"] = "customer_age" };
        var bound = InputBinder.Bind("job", "t", Source, inputs, mapping);
        Assert.Equal(["customer_age", "plan"], bound.Select(c => c.Name));

        var batch = new RowBatch(bound, 3) { Count = 2 };
        batch.Column<int>("customer_age").Set(0, 41);
        batch.Column<int>("customer_age").SetNull(1);
        var model = InputBinder.ForModel(batch, inputs, mapping);
        Assert.Equal(41, model.Column<int>("age").Values[0]);
        Assert.True(model["age"].IsNull(1));
        Assert.Same(batch["customer_age"], model["customer_age"]);
        Assert.Equal(2, model.Count);
    }

    [Fact]
    public void A_mapping_to_a_wrong_type_or_a_missing_column_or_an_unknown_input_is_refused_by_name()
    {
        var e = Assert.Throws<SchemaMismatchException>(() => InputBinder.Bind("churn", "t", Source,
            [new ModelInput("age", ColumnKind.Float32), new ModelInput("tier", ColumnKind.Float32)],
            new Dictionary<string, string> { ["age"] = "plan", ["tier"] = "tier_code", ["typo"] = "id" }));
        Assert.Contains("source column 'plan' (feature_mapping of model input 'age') is text but the model input 'age' needs Float32", e.Message);
        Assert.Contains("no source column 'tier_code'", e.Message);
        Assert.Contains("'typo'", e.Message);
    }
}
