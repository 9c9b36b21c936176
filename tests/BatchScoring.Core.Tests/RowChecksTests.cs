using BatchScoring.Core.Batches;
using BatchScoring.Core.Scoring;

namespace BatchScoring.Core.Tests;

/// <summary>The checks that set rows aside before scoring: one bad row each, with its column and reason.</summary>
public class RowChecksTests
{
    private static RowBatch Batch()
    {
        var batch = new RowBatch([new ColumnSchema("id", ColumnKind.Int64), new ColumnSchema("x", ColumnKind.Float64)], 5) { Count = 5 };
        for (var row = 0; row < 5; row++)
        {
            batch.Column<long>("id").Set(row, row);
            batch.Column<double>("x").Set(row, row);
        }
        return batch;
    }

    [Fact]
    public void Null_keys_and_unreadable_values_are_one_bad_row_each_in_row_order()
    {
        var batch = Batch();
        batch.Column<long>("id").SetNull(3);
        batch.Column<long>("id").SetNull(1);
        batch.Column<double>("x").SetNull(1);
        batch.Unreadable = [new BadRow(1, "x", "read", "unreadable"), new BadRow(1, "id", "read", "also unreadable")];

        var bad = ReadGuard.Check(batch, ["id"]);

        Assert.Equal([new BadRow(1, "x", "read", "unreadable"), new BadRow(3, "id", "read", "key column 'id' is null")], bad);
        Assert.Null(ReadGuard.Check(Batch(), ["id"]));
    }

    [Fact]
    public void A_double_beyond_float32_is_refused_for_a_float32_input_only()
    {
        var batch = Batch();
        batch.Column<double>("x").Set(2, 1e300);

        var bad = Assert.Single(RowGuard.Check(batch, [new ModelInput("x", ColumnKind.Float32)]));

        Assert.Equal((2, "x", "score"), (bad.Row, bad.Column, bad.Stage));
        Assert.Equal("1E+300 is beyond the range of the float32 model input 'x' in 'x'", bad.Reason);
        Assert.Empty(RowGuard.Check(batch, [new ModelInput("x", ColumnKind.Float64)]));
    }
}
