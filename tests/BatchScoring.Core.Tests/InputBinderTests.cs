using BatchScoring.Core.Batches;
using BatchScoring.Core.Errors;
using BatchScoring.Core.Scoring;

namespace BatchScoring.Core.Tests;

public class InputBinderTests
{
    private static readonly ColumnSchema[] Source =
    [
        new("id", ColumnKind.Int64),
        new("age", ColumnKind.Int32, "integer"),
        new("plan", ColumnKind.Text, "text"),
        new("signup", ColumnKind.Date, "date"),
    ];

    [Fact]
    public void Binds_inputs_by_name_and_widens_numbers()
    {
        var bound = InputBinder.Bind("job", "t", Source, [new ModelInput("age", ColumnKind.Float32), new ModelInput("plan", ColumnKind.Text)]);
        Assert.Equal(["age", "plan"], bound.Select(c => c.Name));
    }

    [Fact]
    public void Missing_column_names_the_column_and_the_job()
    {
        var e = Assert.Throws<SchemaMismatchException>(() =>
            InputBinder.Bind("churn-daily", "public.customers", Source, [new ModelInput("income", ColumnKind.Float32)]));
        Assert.Contains("churn-daily", e.Message);
        Assert.Contains("'income'", e.Message);
        Assert.Contains("public.customers", e.Message);
    }

    [Fact]
    public void Type_that_cannot_feed_names_both_types()
    {
        var e = Assert.Throws<SchemaMismatchException>(() =>
            InputBinder.Bind("job", "t", Source, [new ModelInput("signup", ColumnKind.Float32)]));
        Assert.Contains("'signup' is date", e.Message);
        Assert.Contains("Float32", e.Message);
    }

    [Fact]
    public void Optional_inputs_may_be_absent()
        => Assert.Empty(InputBinder.Bind("job", "t", Source, [new ModelInput("Label", ColumnKind.Boolean, Optional: true)]));
}
