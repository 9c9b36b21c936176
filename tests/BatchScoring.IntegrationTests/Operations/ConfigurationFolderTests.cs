using BatchScoring.Worker.Hosting;

namespace BatchScoring.IntegrationTests.Operations;

/// <summary>Folders in appsettings.json are relative to its folder, so batchscoring works the same from any working directory.</summary>
public class ConfigurationFolderTests(ScoringEnvironment env) : IClassFixture<ScoringEnvironment>
{
    [Fact]
    public void Relative_folders_resolve_against_the_folder_of_the_configuration_file()
    {
        var folder = Directory.CreateTempSubdirectory("batchscoring-config-").FullName;
        try
        {
            var file = Path.Combine(folder, "appsettings.json");
            File.WriteAllText(file, """{ "Jobs": { "Directory": "my-jobs" }, "LocalDatabase": { "DataDirectory": ".data/pg" } }""");

            var configuration = AppConfiguration.Build(file);

            Assert.Equal(Path.Combine(folder, "my-jobs"), configuration["Jobs:Directory"]);
            Assert.Equal(Path.Combine(folder, ".data", "pg"), configuration["LocalDatabase:DataDirectory"]);
            Assert.Equal(Path.Combine(folder, "models"), configuration["Models:Directory"]);
            Assert.Equal(Path.Combine(folder, "models", "store"), configuration["Models:StoreDirectory"]);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task A_run_started_from_another_folder_finds_the_jobs_and_models_of_its_configuration_and_writes_nothing_where_it_started()
    {
        var project = Directory.CreateTempSubdirectory("batchscoring-project-").FullName;
        var elsewhere = Directory.CreateTempSubdirectory("batchscoring-elsewhere-").FullName;
        try
        {
            Directory.CreateDirectory(Path.Combine(project, "jobs"));
            Directory.CreateDirectory(Path.Combine(project, "models"));
            File.Copy(env.ModelFile, Path.Combine(project, "models", "churn.zip"));
            File.WriteAllText(Path.Combine(project, "jobs", "elsewhere.yaml"), OperationsHelpers.ChurnJobText("elsewhere", ScoringEnvironment.SourceTable, "scored.elsewhere"));
            File.WriteAllText(Path.Combine(project, "appsettings.json"), """{ "Jobs": { "Directory": "jobs" }, "Models": { "Directory": "models" } }""");
            var environment = new Dictionary<string, string>
            {
                ["ConnectionStrings__BatchScoring"] = env.ConnectionString,
                ["Observability__MetricsAddress"] = "",
            };

            var run = await CliRun.RunAsync(elsewhere, ["run", "elsewhere", "--config", Path.Combine(project, "appsettings.json")], environment);
            var list = await CliRun.RunAsync(elsewhere, ["--config", Path.Combine(project, "appsettings.json"), "jobs", "list"], environment);

            Assert.True(run.ExitCode == 0, $"run exited {run.ExitCode}\n{run.Stdout}\n{run.Stderr}");
            Assert.Contains("succeeded", run.Stdout);
            Assert.True(list.ExitCode == 0, $"jobs list exited {list.ExitCode}\n{list.Stdout}\n{list.Stderr}");
            Assert.Contains(Path.Combine(project, "jobs", "elsewhere.yaml"), list.Stdout);
            Assert.Empty(Directory.EnumerateFileSystemEntries(elsewhere));
        }
        finally
        {
            Directory.Delete(project, recursive: true);
            Directory.Delete(elsewhere, recursive: true);
        }
    }
}
