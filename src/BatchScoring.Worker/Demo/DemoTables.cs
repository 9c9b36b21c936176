using BatchScoring.Core.Sql;
using Dapper;
using Npgsql;

namespace BatchScoring.Worker.Demo;

/// <summary>What the demo shows and opens of its tables: a few scored rows, and read access for <c>batchscoring_analyst</c>.</summary>
internal sealed class DemoTables(NpgsqlDataSource dataSource)
{
    public const string AnalystRole = "batchscoring_analyst";

    internal sealed record ScoredRow(long CustomerId, double MonthlyCharges, string PaymentMethod, float Probability, bool PredictedLabel);

    /// <summary>The run's rows with the highest churn probability, next to two of the features that drifted.</summary>
    public async Task<IReadOnlyList<ScoredRow>> TopRowsAsync(SqlIdentifier output, long runId, int count, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<ScoredRow>(new CommandDefinition($"""
            SELECT p.customer_id AS CustomerId, c.monthly_charges AS MonthlyCharges, c.payment_method AS PaymentMethod,
                   p.probability AS Probability, p.predicted_label AS PredictedLabel
            FROM {output.Quoted} p JOIN {DemoDataset.Table} c USING (customer_id)
            WHERE p.run_id = @runId ORDER BY p.probability DESC, p.customer_id LIMIT @count
            """, new { runId, count }, cancellationToken: cancellationToken));
        return rows.AsList();
    }

    /// <summary>SELECT on the source and output schemas' tables and views (the roles come from migration 010).</summary>
    public async Task GrantAnalystAsync(SqlIdentifier output, CancellationToken cancellationToken)
    {
        var schemas = new[] { "demo", output.Schema ?? "public" }.Distinct().Select(SqlIdentifier.Quote);
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        foreach (var schema in schemas)
        {
            await connection.ExecuteAsync(new CommandDefinition(
                $"GRANT USAGE ON SCHEMA {schema} TO {AnalystRole}; GRANT SELECT ON ALL TABLES IN SCHEMA {schema} TO {AnalystRole};",
                cancellationToken: cancellationToken));
        }
    }
}
