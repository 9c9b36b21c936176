using BatchScoring.Core.Jobs;
using BatchScoring.Postgres.Copy;
using BatchScoring.Postgres.Migrations;
using BatchScoring.Testing;
using BatchScoring.Testing.LightGbm;
using BatchScoring.Testing.Python;
using BatchScoring.Worker.Hosting;
using Dapper;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace BatchScoring.IntegrationTests;

/// <summary>
/// A database whose table <see cref="Table"/> holds the rows of the Python fixtures, and a folder (jobs and
/// Models:Directory) holding the Python-world models: the ONNX and XGBoost files of make_models.py and the LightGBM
/// models trained by lib_lightgbm.
/// </summary>
public sealed class PythonModelsEnvironment : PostgresDatabase
{
    public const string Table = "public.python_rows";

    public string Folder { get; } = Path.Combine(Path.GetTempPath(), "batchscoring-python-" + Guid.NewGuid().ToString("N")[..12]);

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        Directory.CreateDirectory(Folder);
        await using var connection = await DataSource.OpenConnectionAsync();
        await connection.ExecuteAsync($"""
            CREATE TABLE {Table} (id bigint PRIMARY KEY, tenure double precision, charges double precision, support double precision,
                visits bigint, plan text, balance double precision, plan_code integer)
            """);
        await BinaryCopyWriter.CopyAsync(connection, Table, new[] { PythonFixtures.Instance.Rows() }.ToAsyncEnumerable(), CancellationToken.None);
        foreach (var file in Directory.GetFiles(PythonFixtures.Instance.Directory).Where(f => f.EndsWith(".onnx", StringComparison.Ordinal) || f.EndsWith(".json", StringComparison.Ordinal)))
            File.Copy(file, Path.Combine(Folder, Path.GetFileName(file)));
        foreach (var model in new[] { LightGbmFixtures.Instance.Binary, LightGbmFixtures.Instance.Multiclass, LightGbmFixtures.Instance.Regression })
            File.Copy(model.Path, Path.Combine(Folder, Path.GetFileName(model.Path)));
        using var host = await HostAsync();
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        Directory.Delete(Folder, recursive: true);
    }

    public IConfigurationRoot Configuration() => new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
    {
        ["ConnectionStrings:BatchScoring"] = ConnectionString,
        ["Jobs:Directory"] = Folder,
        ["Models:Directory"] = Folder,
        ["Models:StoreDirectory"] = Path.Combine(Folder, "store"),
        ["Sources:ParquetRoot"] = Folder,
        ["Worker:BatchSize"] = "250",
    }).Build();

    /// <summary>The environment variables that point the real executable at this environment.</summary>
    public Dictionary<string, string> Environment() => new()
    {
        ["ConnectionStrings__BatchScoring"] = ConnectionString,
        ["Jobs__Directory"] = Folder,
        ["Models__Directory"] = Folder,
        ["Models__StoreDirectory"] = Path.Combine(Folder, "store"),
        ["Observability__MetricsAddress"] = "",
    };

    /// <summary>A migrated host.</summary>
    public async Task<IHost> HostAsync()
    {
        var host = await ServiceHost.BuildAsync(Configuration(), CancellationToken.None);
        await host.Services.GetRequiredService<MigrationRunner>().ApplyAsync(CancellationToken.None);
        return host;
    }

    /// <summary>
    /// Writes <c>&lt;name&gt;.yaml</c>: the rows table scored by <paramref name="model"/> into <c>scored.&lt;name&gt;</c>, with
    /// <paramref name="modelKeys"/> (YAML lines indented under <c>model:</c>); returns the job as loaded from the file.
    /// </summary>
    public JobSpec WriteJob(string name, string model, string modelKeys = "")
    {
        var path = Path.Combine(Folder, name + ".yaml");
        File.WriteAllText(path, $"""
            name: {name}
            source:
              table: {Table}
              key_columns: [id]
            model:
              path: {model}
            {modelKeys}
            partitioning: {"{"} grain: none, buckets: 3 {"}"}
            drift: {"{"} enabled: false {"}"}
            output:
              table: scored.{name.Replace('-', '_')}
            """);
        return JobSpecLoader.LoadFile(path);
    }

    /// <summary><c>  inputs: [a, b, …]</c>, for a model's fixture columns.</summary>
    public static string Inputs(IEnumerable<string> columns) => "  inputs: [" + string.Join(", ", columns) + "]";
}
