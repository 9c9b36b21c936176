using BatchScoring.Core.Batches;
using BatchScoring.Core.Errors;
using BatchScoring.Core.Jobs;
using BatchScoring.Core.Sql;

namespace BatchScoring.Postgres.Output;

/// <summary>
/// Where a challenger's scores go: <c>output.shadow_table</c>, else the output table's name with
/// <c>_shadow</c> appended; never the main output table. Laid out and written like any scored table
/// (key columns, the challenger's outputs, its <c>model_version</c>, <c>run_id</c>, <c>scored_at</c>).
/// </summary>
public static class ShadowOutput
{
    public const string Suffix = "_shadow";

    public static SqlIdentifier TableFor(string jobName, OutputSpec output)
    {
        var table = output.ShadowTable
            ?? (output.Table is { } main ? DefaultTable(jobName, main)
                : throw new BatchScoringException($"Job '{jobName}': a challenger needs output.table or output.shadow_table; its scores go to a PostgreSQL table."));
        if (table.Quoted == output.Table?.Quoted)
            throw new BatchScoringException($"Job '{jobName}': output.shadow_table must not be the output table {output.Table}; challenger scores never go to the main table.");
        return table;
    }

    public static OutputTableSchema Schema(string jobName, OutputSpec output, IReadOnlyList<ColumnSchema> keyColumns, IReadOnlyList<ColumnSchema> challengerOutputs)
        => new(TableFor(jobName, output), output.Mode, keyColumns, [], challengerOutputs);

    private static SqlIdentifier DefaultTable(string jobName, SqlIdentifier main)
    {
        var text = main + Suffix;
        return SqlIdentifier.TryParse(text, out var table, out var error)
            ? table
            : throw new BatchScoringException($"Job '{jobName}': the shadow table name '{text}' is invalid ({error}); set output.shadow_table.");
    }
}
