using BatchScoring.Testing;
using YamlDotNet.RepresentationModel;

namespace BatchScoring.Worker.Tests.Operations;

/// <summary>
/// What the engine tests (tests/containers) cannot see from outside: the compose file and Dockerfile as documents,
/// against what the README promises.
/// </summary>
public class DockerFilesTests
{
    private static readonly string Root = RepositoryRoot.Path;

    [Fact]
    public void Compose_migrates_as_the_owner_runs_the_worker_as_batchscoring_worker_and_keeps_passwords_in_secrets()
    {
        var compose = Load("docker-compose.yml");
        var services = Map(compose, "services");
        var postgres = Map(services, "postgres");
        var owner = Scalar(Map(postgres, "environment"), "POSTGRES_USER");
        Assert.Equal("/run/secrets/postgres_password", Scalar(Map(postgres, "environment"), "POSTGRES_PASSWORD_FILE"));

        var migrate = Map(services, "migrate");
        Assert.Equal(["migrate"], Sequence(migrate, "command"));
        Assert.Contains($"Username={owner};", Scalar(Map(migrate, "environment"), "ConnectionStrings__BatchScoring"));
        var worker = Map(services, "worker");
        Assert.Equal("service_completed_successfully", Scalar(Map(Map(worker, "depends_on"), "migrate"), "condition"));
        Assert.Contains("Username=batchscoring_worker;", Scalar(Map(worker, "environment"), "ConnectionStrings__BatchScoring"));

        // The engine test (tests/containers/compose-flow) runs these flows; here: no password is ever written in the file.
        var text = File.ReadAllText(Path.Combine(Root, "docker-compose.yml"));
        Assert.DoesNotContain("Password=", text, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("POSTGRES_PASSWORD:", text, StringComparison.Ordinal);
        foreach (var service in new[] { migrate, worker })
            foreach (var connection in Map(service, "environment").Children.Where(c => ((YamlScalarNode)c.Key).Value!.StartsWith("ConnectionStrings__", StringComparison.Ordinal)))
                Assert.Contains("Passfile=/run/secrets/pgpass", ((YamlScalarNode)connection.Value).Value!);
        var secrets = Map(compose, "secrets");
        Assert.Equal("./secrets/pgpass", Scalar(Map(secrets, "pgpass"), "file"));
        Assert.Contains("/secrets/", File.ReadAllLines(Path.Combine(Root, ".gitignore")));
    }

    [Fact]
    public void Compose_sources_read_as_a_login_role_the_postgres_init_script_creates_with_select_only()
    {
        var services = Map(Load("docker-compose.yml"), "services");
        var source = Scalar(Map(Map(services, "worker"), "environment"), "ConnectionStrings__Source");
        Assert.Contains("Username=batchscoring_source", source);
        var init = Sequence(Map(services, "postgres"), "volumes").Single(v => v.Contains("/docker-entrypoint-initdb.d", StringComparison.Ordinal));
        var folder = Path.Combine(Root, init.Split(':')[0]);

        var script = string.Join('\n', Directory.GetFiles(folder).Order().SelectMany(File.ReadAllLines).Where(l => !l.TrimStart().StartsWith('#')));
        Assert.Contains("CREATE ROLE batchscoring_source LOGIN", script);
        Assert.Contains("GRANT SELECT ON TABLES TO batchscoring_source", script);
        Assert.DoesNotContain("SUPERUSER", script, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("IN ROLE", script, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("GRANT INSERT", script, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void Dockerfile_builds_with_the_SDK_runs_on_the_slim_runtime_as_a_non_root_user_with_the_batchscoring_entry_point()
    {
        var lines = File.ReadAllLines(Path.Combine(Root, "Dockerfile")).Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith('#')).ToArray();
        var stages = lines.Where(l => l.StartsWith("FROM ", StringComparison.Ordinal)).ToArray();
        Assert.Equal(2, stages.Length);
        Assert.Contains("ARG SDK_IMAGE=mcr.microsoft.com/dotnet/sdk:10.0", lines);
        Assert.Contains("ARG RUNTIME_IMAGE=mcr.microsoft.com/dotnet/runtime-deps:10.0", lines);
        Assert.Equal("FROM ${SDK_IMAGE} AS build", stages[0]);
        Assert.Equal("FROM ${RUNTIME_IMAGE} AS runtime", stages[1]);
        Assert.Contains(lines, l => l.StartsWith("RUN dotnet publish src/BatchScoring.Worker/BatchScoring.Worker.csproj -c Release -r linux-x64", StringComparison.Ordinal));
        var healthCheck = Array.FindIndex(lines, l => l.StartsWith("HEALTHCHECK ", StringComparison.Ordinal));
        Assert.True(healthCheck >= 0, "the Dockerfile has a HEALTHCHECK");
        Assert.Contains("/health/live", lines[healthCheck] + lines[healthCheck + 1], StringComparison.Ordinal);

        // Restore runs before the sources are copied: every project the worker needs must be copied first (NETSDK1004 otherwise).
        var restore = Array.FindIndex(lines, l => l.StartsWith("RUN dotnet restore", StringComparison.Ordinal));
        var copiedBeforeRestore = lines[..restore].Where(l => l.StartsWith("COPY ", StringComparison.Ordinal)).ToArray();
        foreach (var project in Directory.GetFiles(Path.Combine(Root, "src"), "*.csproj", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(Root, project).Replace('\\', '/');
            Assert.Contains(copiedBeforeRestore, l => l.StartsWith($"COPY {relative} ", StringComparison.Ordinal));
        }
        Assert.Contains("COPY --from=build /app ./", lines);

        var runtime = lines.SkipWhile(l => l != stages[1]).ToArray();
        Assert.Equal("USER 10001:10001", runtime.Last(l => l.StartsWith("USER ", StringComparison.Ordinal)));
        Assert.Contains(runtime, l => l.Contains("useradd --system --uid 10001", StringComparison.Ordinal));
        Assert.Equal("ENTRYPOINT [\"batchscoring\"]", runtime.Single(l => l.StartsWith("ENTRYPOINT", StringComparison.Ordinal)));
        Assert.Equal("CMD [\"worker\"]", runtime.Single(l => l.StartsWith("CMD [", StringComparison.Ordinal)));

        // Everything the build copies exists, and the build context does not leave it out.
        var ignored = File.ReadAllLines(Path.Combine(Root, ".dockerignore")).Where(l => l.Length > 0 && !l.StartsWith('#')).ToArray();
        foreach (var copy in lines.Where(l => l.StartsWith("COPY ", StringComparison.Ordinal) && !l.Contains("--from", StringComparison.Ordinal)))
        {
            var parts = copy.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            foreach (var path in parts[1..^1])
            {
                Assert.True(File.Exists(Path.Combine(Root, path)) || Directory.Exists(Path.Combine(Root, path)), $"{copy}: {path} exists");
                Assert.DoesNotContain(path.TrimEnd('/') + "/", ignored);
            }
        }
        var readme = File.ReadAllText(Path.Combine(Root, "README.md"));
        Assert.Contains("docker build -t batchscoring .", readme);
    }

    private static YamlMappingNode Load(string file)
    {
        var stream = new YamlStream();
        using var reader = new StreamReader(Path.Combine(Root, file));
        stream.Load(reader);
        return (YamlMappingNode)stream.Documents.Single().RootNode;
    }

    private static YamlMappingNode Map(YamlMappingNode node, string key) => (YamlMappingNode)node.Children[new YamlScalarNode(key)];

    private static string Scalar(YamlMappingNode node, string key) => ((YamlScalarNode)node.Children[new YamlScalarNode(key)]).Value!;

    private static string[] Sequence(YamlMappingNode node, string key)
        => ((YamlSequenceNode)node.Children[new YamlScalarNode(key)]).Children.Cast<YamlScalarNode>().Select(s => s.Value!).ToArray();
}
