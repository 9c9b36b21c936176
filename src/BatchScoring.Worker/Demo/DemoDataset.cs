using System.Globalization;
using BatchScoring.Core.Runs;
using BatchScoring.Core.Synthetic;
using BatchScoring.Postgres.Copy;
using Dapper;
using Npgsql;

namespace BatchScoring.Worker.Demo;

/// <summary>
/// The demo's source table <c>demo.customers</c>, filled with <see cref="SyntheticChurnData"/>: the first window
/// (six weeks of the default population) and a second, drifted week after it; and the view of the first window
/// that the model's reference profile is built from.
/// </summary>
internal static class DemoDataset
{
    public const string Table = "demo.customers";
    public const string ReferenceView = "demo.customers_first_window";
    private const int SecondWindowDays = 7;

    public static TimeWindow FirstWindow { get; } = new(SyntheticChurnData.DefaultStart, SyntheticChurnData.DefaultStart.AddDays(SyntheticChurnData.DefaultDays));

    public static TimeWindow SecondWindow { get; } = new(FirstWindow.EndUtc, FirstWindow.EndUtc.AddDays(SecondWindowDays));

    /// <summary>The rows of the second window: a quarter of the first's.</summary>
    public static int SecondWindowRows(int firstWindowRows) => firstWindowRows / 4;

    /// <summary>Creates and fills the table unless it already holds exactly the rows of both windows; returns whether it generated them.</summary>
    public static async Task<bool> EnsureAsync(NpgsqlDataSource dataSource, int rows, int seed, CancellationToken cancellationToken)
    {
        var secondRows = SecondWindowRows(rows);
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var exists = await connection.ExecuteScalarAsync<bool>(new CommandDefinition(
            $"SELECT to_regclass('{Table}') IS NOT NULL AND to_regclass('{ReferenceView}') IS NOT NULL", cancellationToken: cancellationToken));
        if (exists && await connection.ExecuteScalarAsync<long>(new CommandDefinition(
                $"SELECT count(*) FROM {Table}", cancellationToken: cancellationToken)) == rows + secondRows)
            return false;

        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition($"""
            CREATE SCHEMA IF NOT EXISTS demo;
            DROP TABLE IF EXISTS {Table} CASCADE;
            CREATE TABLE {Table} ({SyntheticChurnData.TableDefinition});
            """, transaction: transaction, cancellationToken: cancellationToken));
        var first = SyntheticChurnData.Generate(rows, seed);
        var second = SyntheticChurnData.Generate(secondRows, seed + 2, firstKey: rows + 1L,
            start: SecondWindow.StartUtc, days: SecondWindowDays, drift: SyntheticDrift.Demo);
        await BinaryCopyWriter.CopyAsync(connection, Table, first.Concat(second).ToAsyncEnumerable(), cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition($"""
            CREATE INDEX ON {Table} (event_time);
            CREATE VIEW {ReferenceView} AS SELECT * FROM {Table} WHERE event_time < '{FirstWindow.EndUtc.ToString("O", CultureInfo.InvariantCulture)}';
            COMMENT ON VIEW {ReferenceView} IS 'The demo''s first window: the rows the reference profile of the demo model is built from';
            """, transaction: transaction, cancellationToken: cancellationToken));
        await transaction.CommitAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition($"ANALYZE {Table}", cancellationToken: cancellationToken));
        return true;
    }
}
