using BatchScoring.Core.Runs;
using BatchScoring.Postgres.Registry;
using BatchScoring.Worker.Execution;
using Dapper;
using Microsoft.Extensions.DependencyInjection;

namespace BatchScoring.IntegrationTests;

/// <summary>A registered model is loaded only from inside <c>Models:StoreDirectory</c>, whatever its registry row says (issue 13, finding 6).</summary>
public sealed class RegisteredModelPathTests(ModelsEnvironment env) : IClassFixture<ModelsEnvironment>
{
    [Theory]
    [InlineData("../../elsewhere.zip")]
    [InlineData("/etc/passwd")]
    public async Task A_registry_row_whose_file_leads_out_of_the_store_is_refused(string storedPath)
    {
        using var host = await env.MigratedHostAsync();
        var name = "churn-moved-" + (storedPath.StartsWith('/') ? "absolute" : "relative");
        await host.Services.GetRequiredService<ModelRegistry>().RegisterAsync(name, env.ModelFile, ["champion"], null, CancellationToken.None);
        await using (var connection = await env.DataSource.OpenConnectionAsync())
            await connection.ExecuteAsync("UPDATE scoring.models SET file_path = @storedPath WHERE name = @name", new { storedPath, name });
        var resolved = Path.GetFullPath(Path.Combine(env.StoreDirectory, storedPath));

        var outcome = await host.Services.GetRequiredService<JobRunner>().RunAsync(
            ModelsEnvironment.Job(name + "-job", "scored." + name.Replace('-', '_'), name + "@champion"), RunTrigger.Manual, CancellationToken.None);

        Assert.Equal(RunStatus.Failed, outcome.Status);
        Assert.Contains($"the file of model {name}@1 is {resolved}, outside Models:StoreDirectory ({env.StoreDirectory})", outcome.Error);
        Assert.Equal(0, outcome.RowsRead);
    }
}
