using BatchScoring.Core.Jobs;
using BatchScoring.Core.Runs;
using BatchScoring.Postgres.Migrations;
using BatchScoring.Worker.Execution;
using BatchScoring.Worker.Hosting;
using Dapper;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Npgsql;

namespace BatchScoring.Benchmarks;

/// <summary>
/// The real job path: a job file in a jobs folder, a host built by <see cref="ServiceHost"/> with default
/// settings, migrations, the ledger, and <see cref="JobRunner.RunAsync(JobSpec, string, CancellationToken, TimeWindow?)"/>.
/// </summary>
public static class PipelineRun
{
    /// <param name="source">The job file's <c>source:</c> block, indented by two spaces.</param>
    /// <param name="output">The job file's <c>output:</c> block, indented by two spaces (<see cref="TableOutput"/>, <see cref="ParquetOutput"/>).</param>
    /// <param name="outputTable">A table to drop before and after, so that every measure starts from an empty one.</param>
    /// <param name="modelKeys">More lines of the job file's <c>model:</c> block (e.g. <c>model.inputs</c>), indented by two spaces.</param>
    /// <param name="registeredModel">A registered <c>name@version</c> the job names instead of the file (whose folder is still <c>Models:Directory</c>).</param>
    public static async Task<Timed> RunAsync(string connectionString, string name, string source, string output, string? outputTable, string modelFile,
        IReadOnlyDictionary<string, string>? settings = null, string modelKeys = "", string? registeredModel = null)
    {
        var folder = NewJobFolder();
        try
        {
            await DropAsync(connectionString, outputTable);
            await WriteJobAsync(folder, name, source, output, modelFile, modelKeys, registeredModel);
            using var host = await StartHostAsync(connectionString, folder, modelFile, settings);
            return await TimeRunAsync(host, JobSpecLoader.LoadByName(folder, name));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
            // Also after the run, so that no autovacuum of the scored rows runs during a later measure.
            await DropAsync(connectionString, outputTable);
        }
    }

    public static string NewJobFolder()
    {
        var folder = Path.Combine(Path.GetTempPath(), "batchscoring-bench-jobs-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(folder);
        return folder;
    }

    /// <param name="registeredModel">A registered <c>name@version</c> the job names instead of the file.</param>
    public static Task WriteJobAsync(string folder, string name, string source, string output, string modelFile, string modelKeys = "",
        string? registeredModel = null)
        => File.WriteAllTextAsync(Path.Combine(folder, name + ".yaml"), $"""
            name: {name}
            source:
            {source}
            model:
              {(registeredModel is null ? $"path: {modelFile}" : $"name: {registeredModel}")}
            {modelKeys}
            output:
            {output}
            """);

    /// <summary>A host with default settings (and <paramref name="settings"/>) for the jobs in <paramref name="folder"/>, migrations applied.</summary>
    public static async Task<IHost> StartHostAsync(string connectionString, string folder, string modelFile, IReadOnlyDictionary<string, string>? settings)
    {
        var host = await ServiceHost.BuildAsync(Configuration(connectionString, folder, modelFile, settings), CancellationToken.None);
        await host.Services.GetRequiredService<MigrationRunner>().ApplyAsync(CancellationToken.None);
        return host;
    }

    /// <summary>One run of the job, timed after a checkpoint; a run that does not succeed ends the measure.</summary>
    public static async Task<Timed> TimeRunAsync(IHost host, JobSpec job)
    {
        await BenchmarkDatabase.CheckpointAsync(host.Services.GetRequiredService<NpgsqlDataSource>());
        var meter = MachineCpu.Start();
        var outcome = await host.Services.GetRequiredService<JobRunner>().RunAsync(job, RunTrigger.Manual, CancellationToken.None);
        var elapsed = meter.Stop();
        if (outcome.Status != RunStatus.Succeeded)
            throw new InvalidOperationException($"Benchmark job {job.Name} ended {outcome.Status}: {outcome.Error}");
        return elapsed;
    }

    /// <summary>The host's settings for a job in <paramref name="folder"/>: defaults, overridden by <paramref name="settings"/>.</summary>
    public static IConfigurationRoot Configuration(string connectionString, string folder, string modelFile, IReadOnlyDictionary<string, string>? settings)
    {
        var values = new Dictionary<string, string?>
        {
            ["ConnectionStrings:BatchScoring"] = connectionString,
            ["Jobs:Directory"] = folder,
            ["Models:Directory"] = Path.GetDirectoryName(Path.GetFullPath(modelFile)),
            ["Sources:ParquetRoot"] = "/", // the harness writes its Parquet inputs where it likes
            ["Models:StoreDirectory"] = Path.Combine(folder, "store"),
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string>())
            values[key] = value;
        return new ConfigurationBuilder().AddInMemoryCollection(values).Build();
    }

    /// <summary>Drops <paramref name="table"/> (<c>schema.name</c>) and the run partitions a table partitioned by run kept detached (<c>name_r&lt;run id&gt;</c>).</summary>
    public static async Task DropAsync(string connectionString, string? table)
    {
        if (table is null)
            return;
        await using var connection = new NpgsqlConnection(connectionString);
        var detached = await connection.QueryAsync<string>(
            "SELECT quote_ident(n.nspname) || '.' || quote_ident(c.relname) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            + "WHERE c.relkind = 'r' AND n.nspname = split_part(@table, '.', 1) AND c.relname ~ ('^' || split_part(@table, '.', 2) || '_r[0-9]+$')", new { table });
        await connection.ExecuteAsync(string.Join("\n", detached.Prepend(table).Select(r => $"DROP TABLE IF EXISTS {r} CASCADE;")));
    }

    public static string TableSource(string table) => $"""
          table: {table}
          key_columns: [customer_id]
        """;

    public static string TableOutput(string table) => $"  table: {table}";

    public static string ParquetOutput(string folder) => $"  parquet_folder: {folder}";

    public static string ParquetSource(string folder) => $"""
          parquet: {folder}
          key_columns: [customer_id]
        """;
}
