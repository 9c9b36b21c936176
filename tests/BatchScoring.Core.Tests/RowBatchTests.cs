using BatchScoring.Core.Batches;
using BatchScoring.Core.Synthetic;

namespace BatchScoring.Core.Tests;

public class RowBatchTests
{
    [Fact]
    public void Columns_are_typed_arrays_with_a_null_mask()
    {
        var batch = new RowBatch([new ColumnSchema("x", ColumnKind.Float64), new ColumnSchema("s", ColumnKind.Text)], 4);
        batch.Column<double>("x").Set(0, 1.5);
        batch.Column<double>("x").SetNull(1);
        Assert.Equal(1.5, batch.Column<double>("x").Values[0]);
        Assert.True(batch["x"].IsNull(1));
        Assert.Throws<InvalidCastException>(() => batch.Column<int>("x"));
        Assert.Throws<KeyNotFoundException>(() => batch["nope"]);
    }

    [Fact]
    public void Concat_keeps_every_row_in_order()
    {
        var parts = SyntheticChurnData.Generate(2_500, seed: 7, batchSize: 1_000).ToList();
        var all = RowBatch.Concat(SyntheticChurnData.Schema, parts);
        Assert.Equal(2_500, all.Count);
        Assert.Equal(Enumerable.Range(1, 2_500).Select(i => (long)i), all.Column<long>("customer_id").Values);
        Assert.Equal(parts[2].Column<string>("contract").Values[499], all.Column<string>("contract").Values[2_499]);
    }

    [Fact]
    public void Synthetic_data_is_deterministic_and_has_signal()
    {
        var a = RowBatch.Concat(SyntheticChurnData.Schema, SyntheticChurnData.Generate(20_000, seed: 3).ToList());
        var b = RowBatch.Concat(SyntheticChurnData.Schema, SyntheticChurnData.Generate(20_000, seed: 3).ToList());
        Assert.Equal(a.Column<double>("monthly_charges").Values, b.Column<double>("monthly_charges").Values);

        var churned = a.Column<bool>("churned").Values;
        var contract = a.Column<string>("contract").Values;
        double Rate(string c) => Enumerable.Range(0, a.Count).Where(i => contract[i] == c).Average(i => churned[i] ? 1.0 : 0.0);
        Assert.True(Rate("month-to-month") > 2 * Rate("two-year"));
    }
}
