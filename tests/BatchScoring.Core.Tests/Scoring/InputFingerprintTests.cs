using BatchScoring.Core.Batches;
using BatchScoring.Core.Scoring;

namespace BatchScoring.Core.Tests.Scoring;

public sealed class InputFingerprintTests
{
    private static readonly ModelInput[] Inputs =
    [
        new("tenure", ColumnKind.Float32), new("monthly", ColumnKind.Float64), new("plan", ColumnKind.Text),
        new("active", ColumnKind.Boolean), new("visits", ColumnKind.Int64), new("since", ColumnKind.Date),
        new("seen", ColumnKind.TimestampTz), new("id", ColumnKind.Uuid), new("balance", ColumnKind.Decimal),
        new("label", ColumnKind.Boolean, Optional: true),
    ];

    /// <summary>Row 0: a value of every kind; row 1: the same but <c>plan</c> null.</summary>
    private static RowBatch Batch()
    {
        var batch = new RowBatch(
        [
            new("tenure", ColumnKind.Int32), new("monthly", ColumnKind.Float64), new("plan", ColumnKind.Text),
            new("active", ColumnKind.Boolean), new("visits", ColumnKind.Int64), new("since", ColumnKind.Date),
            new("seen", ColumnKind.TimestampTz), new("id", ColumnKind.Uuid), new("balance", ColumnKind.Decimal),
        ], 2) { Count = 2 };
        for (var row = 0; row < 2; row++)
        {
            batch.Column<int>("tenure").Set(row, 12);
            batch.Column<double>("monthly").Set(row, 49.95);
            batch.Column<bool>("active").Set(row, true);
            batch.Column<long>("visits").Set(row, -3);
            batch.Column<DateOnly>("since").Set(row, new DateOnly(2024, 2, 29));
            batch.Column<DateTime>("seen").Set(row, new DateTime(2026, 9, 1, 6, 30, 0, DateTimeKind.Utc));
            batch.Column<Guid>("id").Set(row, Guid.Parse("0f8fad5b-d9cb-469f-a165-70867728950e"));
            batch.Column<decimal>("balance").Set(row, 1234.50m);
        }
        batch.Column<string>("plan").Set(0, "prémium");
        batch.Column<string>("plan").SetNull(1);
        return batch;
    }

    [Fact]
    public void A_fixed_row_and_model_version_have_a_fixed_fingerprint_so_a_change_of_encoding_fails_here()
    {
        var seed = InputFingerprint.Seed("churn", "3");
        var fingerprints = new long[2];
        InputFingerprint.Compute(Batch(), Inputs, seed, fingerprints);

        Assert.Equal(-1108256456613098482, seed);
        Assert.Equal(8398702614647629919, fingerprints[0]);
        Assert.Equal(-702569923077044657, fingerprints[1]);
    }

    [Fact]
    public void A_null_an_other_value_or_an_other_model_version_changes_the_fingerprint()
    {
        var batch = Batch();
        var fingerprints = new long[2];
        InputFingerprint.Compute(batch, Inputs, InputFingerprint.Seed("churn", "3"), fingerprints);
        Assert.NotEqual(fingerprints[0], fingerprints[1]);

        var again = new long[2];
        InputFingerprint.Compute(batch, Inputs, InputFingerprint.Seed("churn", "4"), again);
        Assert.NotEqual(fingerprints[0], again[0]);

        batch.Column<double>("monthly").Set(0, 49.96);
        InputFingerprint.Compute(batch, Inputs, InputFingerprint.Seed("churn", "3"), again);
        Assert.NotEqual(fingerprints[0], again[0]);
        Assert.Equal(fingerprints[1], again[1]);
    }
}
