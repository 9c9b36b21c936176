using System.Net;
using System.Net.Sockets;
using BatchScoring.Core.Errors;
using BatchScoring.Postgres.Local;

namespace BatchScoring.Postgres.Tests;

/// <summary>The local cluster of <c>demo</c> on a port something else holds: one line saying what to do, not pg_ctl's log.</summary>
public class LocalClusterPortTests
{
    [Fact]
    public async Task A_port_in_use_is_refused_before_starting_with_what_to_do()
    {
        using var holder = new TcpListener(IPAddress.Loopback, 0);
        holder.Start();
        var port = ((IPEndPoint)holder.LocalEndpoint).Port;
        // Not CreateTempSubdirectory: its mode 700 would keep the 'postgres' user (initdb as root) out.
        var folder = Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), $"batchscoring-port-{Guid.NewGuid():N}"));
        try
        {
            var cluster = new LocalPostgresCluster(Path.Combine(folder.FullName, "pg"), port, durable: false);

            var error = await Assert.ThrowsAsync<BatchScoringException>(() => cluster.StartAsync(CancellationToken.None));

            Assert.Contains($"port {port} on 127.0.0.1 is already in use", error.Message, StringComparison.Ordinal);
            Assert.Contains("LocalDatabase:Port", error.Message, StringComparison.Ordinal);
            Assert.False(await cluster.IsRunningAsync(CancellationToken.None));
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }
}
