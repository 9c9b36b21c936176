using Dapper;

namespace BatchScoring.IntegrationTests;

public class ModelsCommandTests(ModelsEnvironment env) : IClassFixture<ModelsEnvironment>
{
    private Task<(int ExitCode, string Output)> CliAsync(params string[] arguments) => DemoCommandTests.RunCliAsync(env.Folder, arguments, new()
    {
        ["ConnectionStrings__BatchScoring"] = env.ConnectionString,
        ["Models__StoreDirectory"] = env.StoreDirectory,
    });

    [Fact]
    public async Task Register_list_and_alias_work_from_the_command_line()
    {
        // The registry verbs do not migrate (only the verbs that start or score runs do).
        var (code, output) = await CliAsync("migrate");
        Assert.True(code == 0, output);
        (code, output) = await CliAsync("models", "register", "churn-cli", env.ModelFile, "--alias", "champion", "--alias", "stable", "--metrics", """{"auc": 0.87}""");
        Assert.True(code == 0, output);
        Assert.Contains("Registered churn-cli@1 (mlnet, sha256 ", output);
        Assert.Contains("champion, stable", output);

        var converted = Path.Combine(env.Folder, "cli", "churn.onnx");
        (code, output) = await CliAsync("models", "convert", env.ModelFile, converted);
        Assert.True(code == 0, output);
        Assert.Equal(await File.ReadAllBytesAsync(env.OnnxFile), await File.ReadAllBytesAsync(converted));

        (code, output) = await CliAsync("models", "register", "churn-cli", converted);
        Assert.True(code == 0, output);
        Assert.Contains("Registered churn-cli@2 (onnx", output);

        (code, output) = await CliAsync("models", "alias", "churn-cli", "2", "champion");
        Assert.True(code == 0, output);
        Assert.Contains("churn-cli@champion now points at version 2 (was 1)", output);

        (code, output) = await CliAsync("models", "list");
        Assert.True(code == 0, output);
        var lines = output.Split('\n').Where(l => l.StartsWith("churn-cli", StringComparison.Ordinal)).ToArray();
        Assert.Equal(2, lines.Length);
        Assert.Contains("mlnet", lines[0]);
        Assert.Contains("stable", lines[0]);
        Assert.DoesNotContain("champion", lines[0]);
        Assert.Contains("""{"auc": 0.87}""", lines[0]);
        Assert.Contains("onnx", lines[1]);
        Assert.Contains("champion", lines[1]);

        var json = await Operations.CliRun.RunAsync(env.Folder, ["models", "list", "churn-cli", "-o", "json"], new Dictionary<string, string>
        {
            ["ConnectionStrings__BatchScoring"] = env.ConnectionString,
            ["Models__StoreDirectory"] = env.StoreDirectory,
        });
        Assert.True(json.ExitCode == 0, json.Stderr);
        var versions = System.Text.Json.JsonDocument.Parse(json.Stdout).RootElement.EnumerateArray().ToArray();
        Assert.Equal([1, 2], versions.Select(v => v.GetProperty("version").GetInt32()));
        Assert.Equal("onnx", versions[1].GetProperty("format").GetString());
        Assert.Contains("champion", versions[1].GetProperty("aliases").EnumerateArray().Select(a => a.GetString()));
        Assert.Equal(0.87, versions[0].GetProperty("metrics").GetProperty("auc").GetDouble());

        (code, output) = await CliAsync("models", "alias", "churn-cli", "9", "champion");
        Assert.Equal(2, code);
        Assert.Contains("has no version 9; its versions are 1, 2", output);

        await using var connection = await env.DataSource.OpenConnectionAsync();
        Assert.Equal(2, await connection.ExecuteScalarAsync<int>("SELECT version FROM scoring.model_aliases WHERE model_name = 'churn-cli' AND alias = 'champion'"));
        Assert.True(File.Exists(Path.Combine(env.StoreDirectory, "churn-cli", "2", "churn.onnx")));
    }
}
