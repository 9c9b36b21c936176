using BatchScoring.Worker.Cli;

namespace BatchScoring.IntegrationTests.Operations;

/// <summary>
/// The exit codes the README states, verb by verb: bad input (past parsing too: a missing file, an unknown run) is 2
/// with one <c>error:</c> line and no stack trace; the read verbs exit 0. Parse errors of every verb are in
/// <see cref="CommandLineErrorTests"/>; <c>{run}</c> stands for the id of the environment's finished run.
/// </summary>
public class ExitCodeTests(ExitCodeEnvironment env) : IClassFixture<ExitCodeEnvironment>
{
    private string[] Arguments(string line) => line.Replace("{run}", env.RunId.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal)
        .Replace("{model}", env.ModelFile, StringComparison.Ordinal).Split(' ');

    [Theory]
    [InlineData("run nosuchjob", "No job named 'nosuchjob'")]
    [InlineData("backfill exitcodes --from 2026-09-10 --to 2026-09-01", "--to")]
    [InlineData("retry 99999", "There is no run 99999")]
    [InlineData("cancel 99999", "There is no run 99999")]
    [InlineData("cancel {run}", "is not running (its status is succeeded)")]
    [InlineData("runs --limit 0", "--limit must be a whole number of at least 1")]
    [InlineData("runs show 99999", "There is no run 99999")]
    [InlineData("report 99999 -o -", "Run 99999 has no drift report")]
    [InlineData("jobs validate /nonexistent/jobs", "No job file or folder /nonexistent/jobs")]
    [InlineData("models register churn /nonexistent/churn.zip", "Model file /nonexistent/churn.zip does not exist")]
    [InlineData("models inspect /nonexistent/churn.zip", "No model file /nonexistent/churn.zip")]
    [InlineData("models convert {model} churn.zip", "convert reads an ML.NET .zip and writes an .onnx file")]
    [InlineData("models alias nosuchmodel 1 champion", "nosuchmodel")]
    [InlineData("demo --rows 5", "Unrecognized command or argument '--rows'")]
    [InlineData("demo stop now", "Unrecognized command or argument 'now'")]
    [InlineData("migrate now", "Unrecognized command or argument 'now'")]
    [InlineData("worker --slots 2", "Unrecognized command or argument '--slots'")]
    public async Task Bad_input_exits_2_with_one_line(string arguments, string expected)
    {
        var result = await CliRun.RunAsync(env.Folder, Arguments(arguments), env.CliEnvironment());

        result.AssertOneLineError(ExitCodes.InvalidInput, expected);
    }

    [Fact]
    public async Task An_invalid_job_file_exits_2_and_names_its_line()
    {
        var result = await CliRun.RunAsync(env.Folder, ["jobs", "validate", env.BrokenJobFile], env.CliEnvironment());

        Assert.True(result.ExitCode == ExitCodes.InvalidInput, $"exit {result.ExitCode}\n{result.Stdout}\n{result.Stderr}");
        Assert.Contains(env.BrokenJobFile + ":", result.Stdout + result.Stderr);
        Assert.DoesNotContain("   at ", result.Stdout + result.Stderr);
    }

    [Theory]
    [InlineData("migrate", "schema is current")]
    [InlineData("runs", "exitcodes")]
    [InlineData("runs show {run}", "exitcodes")]
    [InlineData("runs show {run} --partitions -o json", "\"run_id\"")]
    [InlineData("report {run} -o -", "<!DOCTYPE html>")]
    [InlineData("jobs list", "exitcodes")]
    [InlineData("jobs validate exitcodes.yaml", "1 job file(s), all valid.")]
    [InlineData("models list", "No models are registered.")]
    [InlineData("models inspect {model}", "probability")]
    [InlineData("--help", "Usage:")]
    public async Task Read_verbs_exit_0(string arguments, string expected)
    {
        var result = await CliRun.RunAsync(env.Folder, Arguments(arguments), env.CliEnvironment());

        Assert.True(result.ExitCode == ExitCodes.Succeeded, $"exit {result.ExitCode}\n{result.Stdout}\n{result.Stderr}");
        Assert.Contains(expected, result.Stdout);
        Assert.DoesNotContain("error:", result.Stderr);
    }
}
