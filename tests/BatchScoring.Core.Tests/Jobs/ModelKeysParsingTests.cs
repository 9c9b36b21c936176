using BatchScoring.Core.Jobs;

namespace BatchScoring.Core.Tests.Jobs;

/// <summary><c>model.inputs</c> and <c>model.positive_class</c>: read with their places in the file, for checks against the model.</summary>
public class ModelKeysParsingTests
{
    private const string File = "jobs/python.yaml";

    private static string Job(string modelKeys) => $"""
        name: python
        source: {"{"} table: public.customers, key_columns: [id] {"}"}
        model:
          path: model.onnx
        {modelKeys}
        output: {"{"} table: scored.python {"}"}
        """;

    [Fact]
    public void Inputs_and_the_positive_class_keep_the_line_and_column_of_each_item()
    {
        var model = JobSpecLoader.Parse(Job("  inputs: [tenure, charges]\n  positive_class: churned"), File).Model;

        Assert.Equal(["tenure", "charges"], model.Inputs!.Select(i => i.Value));
        Assert.Equal(new JobFileLocation(File, 5, 11), model.InputsLocation);
        Assert.Equal(new JobFileLocation(File, 5, 20), model.Inputs![1].Location);
        Assert.Equal(new LocatedName("churned", new JobFileLocation(File, 6, 19)), model.PositiveClass);
    }

    [Theory]
    [InlineData("  inputs: tenure", "jobs/python.yaml:5:11: 'model.inputs' must be a non-empty list of source columns, in the order of the model's features")]
    [InlineData("  inputs: []", "jobs/python.yaml:5:11: 'model.inputs' must be a non-empty list of source columns, in the order of the model's features")]
    [InlineData("  inputs: [tenure, tenure]", "jobs/python.yaml:5:20: 'model.inputs': column 'tenure' is listed twice")]
    [InlineData("  inputs: [tenure, 2x]", "jobs/python.yaml:5:20: 'model.inputs': invalid column name '2x': it must start with a letter or underscore and contain only letters, digits and underscores (at most 63)")]
    public void A_bad_inputs_list_is_refused_at_its_place(string keys, string message)
    {
        var error = Assert.Throws<JobSpecException>(() => JobSpecLoader.Parse(Job(keys), File));

        Assert.Equal(message, Assert.Single(error.Errors).ToString());
    }
}
