using BatchScoring.Core.Jobs;
using BatchScoring.Core.Runs;
using BatchScoring.Postgres.Ledger;
using BatchScoring.Postgres.Migrations;
using BatchScoring.Worker.Execution;
using Dapper;
using Microsoft.Extensions.DependencyInjection;

namespace BatchScoring.IntegrationTests;

/// <summary>
/// A job file reads only under the folders the operator chose: model paths under <c>Models:Directory</c>,
/// Parquet sources under <c>Sources:ParquetRoot</c>; refusals name the job file and the path, never a file's bytes (issue 13, finding 6).
/// </summary>
public sealed class ContainedPathRunTests(ScoringEnvironment env) : IClassFixture<ScoringEnvironment>, IDisposable
{
    private readonly string outside = Directory.CreateTempSubdirectory("batchscoring-outside-").FullName;

    private async Task<(RunOutcome Outcome, string? RecordedError)> RunAsync(string name, string source, string model, params (string, string)[] settings)
    {
        env.WriteJob(name, $"""
            name: {name}
            source:
              {source}
              key_columns: [customer_id]
            model:
              path: {model}
            output:
              table: scored.{name.Replace('-', '_')}
            """);
        using var host = await env.HostAsync(settings);
        await host.Services.GetRequiredService<MigrationRunner>().ApplyAsync(CancellationToken.None);
        var outcome = await host.Services.GetRequiredService<JobRunner>().RunAsync(
            JobSpecLoader.LoadByName(env.Folder, name), RunTrigger.Manual, CancellationToken.None);
        var run = outcome.RunId > 0 ? await host.Services.GetRequiredService<RunLedger>().GetAsync(outcome.RunId, CancellationToken.None) : null;
        return (outcome, run?.Error);
    }

    private static void AssertRefused((RunOutcome Outcome, string? RecordedError) run, params string[] expected)
    {
        Assert.Equal(RunStatus.Failed, run.Outcome.Status);
        Assert.NotNull(run.Outcome.Error);
        Assert.DoesNotContain('\n', run.Outcome.Error);
        foreach (var part in expected)
            Assert.Contains(part, run.Outcome.Error);
        if (run.RecordedError is { } recorded)
            Assert.Equal(run.Outcome.Error, recorded);
        Assert.Equal(0, run.Outcome.RowsRead);
    }

    [Fact]
    public async Task A_model_path_out_of_the_models_folder_is_refused_naming_the_job_file_and_the_path()
    {
        var escaped = Path.Combine(outside, "outside.zip");
        File.Copy(env.ModelFile, escaped);
        var relative = Path.GetRelativePath(env.Folder, escaped);
        Assert.StartsWith("..", relative);
        var job = Path.Combine(env.Folder, "escape-model.yaml");

        AssertRefused(await RunAsync("escape-model", "table: public.customers", relative),
            "escape-model", $"model path '{relative}' of {job} is {escaped}, outside Models:Directory ({env.Folder})");
        AssertRefused(await RunAsync("escape-model", "table: public.customers", escaped),
            $"model path '{escaped}' of {job} is {escaped}, outside Models:Directory");

        File.CreateSymbolicLink(Path.Combine(env.Folder, "linked.zip"), escaped);
        AssertRefused(await RunAsync("escape-model", "table: public.customers", "linked.zip"),
            $"model path 'linked.zip' of {job} is {Path.Combine(env.Folder, "linked.zip")}, a symbolic link to {escaped}, outside Models:Directory");
    }

    [Fact]
    public async Task A_parquet_source_outside_the_root_is_refused_without_reading_it()
    {
        AssertRefused(await RunAsync("etc-passwd", "parquet: /etc/passwd", "churn.zip"),
            $"Parquet source '/etc/passwd' is /etc/passwd, outside Sources:ParquetRoot ({env.Folder})");
        AssertRefused(await RunAsync("whole-disk", "parquet: /", "churn.zip"),
            $"Parquet source '/' is /, outside Sources:ParquetRoot ({env.Folder})");
    }

    [Fact]
    public async Task A_file_that_is_not_Parquet_inside_the_root_is_named_and_its_bytes_never_stored()
    {
        const string Secret = "root:x:0:0:root:/root:/bin/bash";
        var path = Path.Combine(env.Folder, "passwd-copy");
        File.WriteAllText(path, Secret + "\n");

        var run = await RunAsync("not-parquet", "parquet: passwd-copy", "churn.zip");

        AssertRefused(run, $"not a Parquet file: {path}");
        await using var connection = await env.DataSource.OpenConnectionAsync();
        Assert.Equal(0, await connection.ExecuteScalarAsync<long>(
            "SELECT count(*) FROM scoring.runs WHERE error LIKE '%root:x%' OR error LIKE '%/bin/bash%'"));
        Assert.Equal(0, await connection.ExecuteScalarAsync<long>(
            "SELECT count(*) FROM scoring.partitions WHERE last_error LIKE '%root:x%' OR last_error LIKE '%/bin/bash%'"));
    }

    [Fact]
    public async Task An_operator_may_allow_further_parquet_roots()
    {
        var run = await RunAsync("elsewhere", $"parquet: {Path.Combine(outside, "missing")}", "churn.zip", ("Sources:AllowedParquetRoots:0", outside));

        // Allowed, so the path is looked at (and is missing), rather than refused.
        AssertRefused(run, $"Parquet source {Path.Combine(outside, "missing")}: no such file or folder.");
    }

    public void Dispose() => Directory.Delete(outside, recursive: true);
}
