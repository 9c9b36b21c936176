using BatchScoring.Core.Errors;

namespace BatchScoring.Postgres.Local;

/// <summary>
/// A PostgreSQL cluster run from the local binaries in a folder of our own: used by <c>demo</c>
/// (in <c>.data/pg</c>) and by the tests (a throwaway folder). initdb refuses root, so as root
/// every server command runs as the <c>postgres</c> system user through <c>runuser</c>.
/// </summary>
public sealed class LocalPostgresCluster(string dataDirectory, int port, bool durable = true)
{
    public string DataDirectory { get; } = Path.GetFullPath(dataDirectory);
    public int Port { get; } = port;

    public string ConnectionString => $"Host=127.0.0.1;Port={Port};Username=postgres;Database=postgres";

    private string LogFile => Path.Combine(DataDirectory, "server.log");
    private static bool IsRoot => Environment.UserName == "root";

    public bool IsInitialized => File.Exists(Path.Combine(DataDirectory, "PG_VERSION"));

    /// <summary>Creates the cluster if the folder is empty and starts it unless it already runs.</summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var bin = FindBinDirectory();
        if (!IsInitialized)
            await InitAsync(bin, cancellationToken);
        if (await IsRunningAsync(cancellationToken))
            return;
        if (IsPortTaken(Port))
            throw new BatchScoringException(
                $"Cannot start the local PostgreSQL in {DataDirectory}: port {Port} on 127.0.0.1 is already in use, perhaps by the local PostgreSQL of another batchscoring folder. "
                + $"Stop that one (`batchscoring demo stop` in its folder), set LocalDatabase:Port to another port, or set ConnectionStrings:BatchScoring to use a server of your own.");
        var options = $"-p {Port} -k /tmp -c listen_addresses=127.0.0.1" + (durable ? "" : " -c fsync=off -c synchronous_commit=off -c full_page_writes=off");
        var (code, output) = await RunAsServerUserAsync(Path.Combine(bin, "pg_ctl"),
            ["-D", DataDirectory, "-o", options, "-l", LogFile, "-w", "-t", "60", "start"], cancellationToken);
        if (code != 0)
        {
            var log = File.Exists(LogFile) ? string.Join('\n', File.ReadLines(LogFile).TakeLast(15)) : "(no server log)";
            throw new InvalidOperationException($"Could not start PostgreSQL in {DataDirectory} on port {Port}: {output}\n{log}");
        }
    }

    private static bool IsPortTaken(int port)
    {
        try
        {
            using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, port);
            listener.Start();
            return false;
        }
        catch (System.Net.Sockets.SocketException)
        {
            return true;
        }
    }

        public async Task<bool> IsRunningAsync(CancellationToken cancellationToken)
    {
        if (!IsInitialized)
            return false;
        var (code, _) = await RunAsServerUserAsync(Path.Combine(FindBinDirectory(), "pg_ctl"), ["-D", DataDirectory, "status"], cancellationToken);
        return code == 0;
    }

    /// <summary>Stops the server; <paramref name="immediate"/> skips the shutdown checkpoint (for throwaway clusters).</summary>
    public async Task StopAsync(bool immediate, CancellationToken cancellationToken)
    {
        if (!await IsRunningAsync(cancellationToken))
            return;
        var (code, output) = await RunAsServerUserAsync(Path.Combine(FindBinDirectory(), "pg_ctl"),
            ["-D", DataDirectory, "-m", immediate ? "immediate" : "fast", "-w", "stop"], cancellationToken);
        if (code != 0)
            throw new InvalidOperationException($"Could not stop PostgreSQL in {DataDirectory}: {output}");
    }

    private async Task InitAsync(string bin, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(DataDirectory);
        if (IsRoot)
        {
            await RunCheckedAsync("chown", ["postgres:postgres", DataDirectory], cancellationToken);
            await RunCheckedAsync("chmod", ["700", DataDirectory], cancellationToken);
        }
        var (code, output) = await RunAsServerUserAsync(Path.Combine(bin, "initdb"),
            ["-D", DataDirectory, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--locale=C", "--no-sync"], cancellationToken);
        if (code != 0)
        {
            var hint = IsRoot ? " (as root the data folder and every folder above it must be reachable by the 'postgres' user)" : "";
            throw new InvalidOperationException($"initdb failed for {DataDirectory}{hint}: {output}");
        }
    }

    private static Task<(int, string)> RunAsServerUserAsync(string program, IReadOnlyList<string> arguments, CancellationToken cancellationToken)
        => IsRoot
            ? ProcessRunner.RunAsync("runuser", ["-u", "postgres", "--", program, .. arguments], cancellationToken)
            : ProcessRunner.RunAsync(program, arguments, cancellationToken);

    private static async Task RunCheckedAsync(string program, IReadOnlyList<string> arguments, CancellationToken cancellationToken)
    {
        var (code, output) = await ProcessRunner.RunAsync(program, arguments, cancellationToken);
        if (code != 0)
            throw new InvalidOperationException($"{program} {string.Join(' ', arguments)} failed: {output}");
    }

    /// <summary>
    /// The folder holding initdb and pg_ctl: <c>BATCHSCORING_PG_BIN</c>, else the newest
    /// <c>/usr/lib/postgresql/*/bin</c>, else a folder on PATH.
    /// </summary>
    public static string FindBinDirectory()
    {
        var configured = Environment.GetEnvironmentVariable("BATCHSCORING_PG_BIN");
        if (!string.IsNullOrEmpty(configured))
            return File.Exists(Path.Combine(configured, "initdb")) ? configured
                : throw new InvalidOperationException($"BATCHSCORING_PG_BIN={configured} holds no initdb.");

        const string debianRoot = "/usr/lib/postgresql";
        if (Directory.Exists(debianRoot))
        {
            var newest = Directory.GetDirectories(debianRoot)
                .Select(d => Path.Combine(d, "bin"))
                .Where(d => File.Exists(Path.Combine(d, "initdb")))
                .OrderByDescending(d => int.TryParse(Path.GetFileName(Path.GetDirectoryName(d)), out var v) ? v : 0)
                .FirstOrDefault();
            if (newest is not null)
                return newest;
        }
        var onPath = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':')
            .FirstOrDefault(d => d.Length > 0 && File.Exists(Path.Combine(d, "initdb")));
        return onPath ?? throw new InvalidOperationException(
            "PostgreSQL server binaries (initdb, pg_ctl) were not found. Install them (Debian: apt-get install postgresql-15), " +
            "set BATCHSCORING_PG_BIN to their folder, or set ConnectionStrings__BatchScoring to an existing database.");
    }
}
