using BatchScoring.Core.Batches;
using BatchScoring.Core.Synthetic;
using BatchScoring.Models.MlNet;

namespace BatchScoring.Models.Tests;

public class CompiledTreeModelTests(TrainedModels models) : IClassFixture<TrainedModels>
{
    /// <summary>Synthetic customers with missing numbers (NaN, which ML.NET reads as missing), extremes and an unseen category.</summary>
    private static RowBatch AwkwardRows(int count)
    {
        var rows = RowBatch.Concat(SyntheticChurnData.Schema, SyntheticChurnData.Generate(count, seed: 77).ToList());
        var charges = rows.Column<double>("monthly_charges");
        var tenure = rows.Column<int>("tenure_months");
        var contract = rows.Column<string>("contract");
        for (var row = 0; row < count; row += 7)
            charges.Values[row] = row % 3 == 0 ? double.NaN : row % 3 == 1 ? 1e30 : -1e30;
        for (var row = 3; row < count; row += 11)
            tenure.Values[row] = int.MinValue;
        for (var row = 5; row < count; row += 13)
            contract.Values[row] = "never-seen-in-training";
        return rows;
    }

    [Theory]
    [InlineData("binary")]
    [InlineData("regression")]
    public void Compiled_trees_give_exactly_ML_NETs_outputs(string task)
    {
        var path = task == "binary" ? models.Binary : models.Regression;
        var compiled = MlNetScorer.Load(path, compileTrees: true);
        var plain = MlNetScorer.Load(path, compileTrees: false);
        Assert.True(compiled.UsesCompiledTrees);
        Assert.False(plain.UsesCompiledTrees);

        // More than one block of rows and a single row, to cover both sizes of the evaluator's sums.
        foreach (var rows in new[] { AwkwardRows(3_000), AwkwardRows(1) })
        {
            var ours = compiled.Score(rows);
            var theirs = plain.Score(rows);
            Assert.Equal(theirs.Schema, ours.Schema);
            foreach (var column in theirs.Schema)
            {
                Assert.Equal(Values(theirs, column.Name), Values(ours, column.Name));
            }
        }
    }

    [Fact]
    public void A_multiclass_model_is_left_to_ML_NET()
    {
        Assert.False(MlNetScorer.Load(models.Multiclass, compileTrees: true).UsesCompiledTrees);
    }

    /// <summary>Bit patterns for floats, so that NaN and -0 compare exactly too.</summary>
    private static object[] Values(RowBatch batch, string column) => batch[column] switch
    {
        BatchColumn<float> floats => floats.Values.Take(batch.Count).Select(v => (object)BitConverter.SingleToInt32Bits(v)).ToArray(),
        BatchColumn<bool> bools => bools.Values.Take(batch.Count).Cast<object>().ToArray(),
        var other => throw new InvalidOperationException($"Unexpected column {other.Name}"),
    };
}
