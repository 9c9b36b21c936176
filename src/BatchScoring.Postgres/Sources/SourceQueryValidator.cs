using System.Text.Json;
using System.Text.RegularExpressions;
using BatchScoring.Core.Errors;
using Npgsql;

namespace BatchScoring.Postgres.Sources;

/// <summary>
/// Checks, before a source query runs, that PostgreSQL's own parser sees the query, alone and wrapped, as exactly
/// one SELECT, and that its plan calls no function with side effects beyond the transaction.
/// </summary>
/// <remarks>
/// The check EXPLAINs the query, then <c>SELECT * FROM (query) AS source_query</c>, the text every later statement embeds.
/// A positional parameter makes Npgsql send it as one Parse message instead of splitting it at semicolons,
/// and PostgreSQL refuses a Parse of several statements; a subquery cannot be anything but a SELECT, nor
/// hold a data-modifying CTE, so no ModifyTable node can be planned. EXPLAIN without ANALYZE runs nothing.
/// </remarks>
internal static partial class SourceQueryValidator
{
    /// <summary>Calls that act outside the read-only transaction. <c>pg_sleep</c> is allowed: statement_timeout bounds it.</summary>
    [GeneratedRegex(@"(?<![\w$])(pg_terminate_backend|pg_cancel_backend|set_config|dblink\w*|lo_\w+|lowrite|pg_read_file|pg_read_binary_file|pg_ls_dir|pg_stat_file|pg_reload_conf|pg_rotate_logfile|pg_advisory\w*)\s*\(", RegexOptions.IgnoreCase)]
    private static partial Regex RefusedCall();

    /// <summary>The query on lines of its own, so that a trailing <c>--</c> comment cannot swallow the text around it.</summary>
    public static string Wrap(string query) => $"(\n{query}\n) AS source_query";

    public static async Task ValidateAsync(NpgsqlConnection connection, string query, string jobName, CancellationToken cancellationToken)
    {
        await ExplainAsync(connection, query, jobName, cancellationToken);
        var plan = await ExplainAsync(connection, $"SELECT * FROM {Wrap(query)}", jobName, cancellationToken);
        if (RefusedCalls(plan).FirstOrDefault() is { } call)
            throw new BatchScoringException($"Job '{jobName}': source.query is refused, it calls {call}(), which acts beyond reading.");
    }

    /// <summary>
    /// The plan of one statement. The query alone is checked too, so that it is a complete statement of its own and cannot
    /// reshape the wrapper around it (<c>SELECT 1) AS a, (SELECT 2</c> is one statement only once wrapped).
    /// </summary>
    private static async Task<string> ExplainAsync(NpgsqlConnection connection, string statement, string jobName, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand($"EXPLAIN (VERBOSE, FORMAT JSON) {statement}", connection) { CommandTimeout = 0 };
        command.Parameters.Add(new NpgsqlParameter { Value = 0 });
        try
        {
            return (string)(await command.ExecuteScalarAsync(cancellationToken))!;
        }
        catch (PostgresException e) when (e.SqlState is PostgresErrorCodes.SyntaxError or PostgresErrorCodes.FeatureNotSupported)
        {
            throw new BatchScoringException($"Job '{jobName}': source.query is refused, it must be exactly one SELECT: {e.MessageText}", e);
        }
        catch (PostgresException e)
        {
            throw new BatchScoringException($"Job '{jobName}': cannot read the source query: {e.MessageText}", e);
        }
    }

    private static IEnumerable<string> RefusedCalls(string plan)
    {
        using var json = JsonDocument.Parse(plan);
        foreach (var text in Strings(json.RootElement))
            foreach (Match match in RefusedCall().Matches(text))
                yield return match.Groups[1].Value;
    }

    /// <summary>Every string in the plan: expressions of outputs and filters, and the function names of function scans (with a call's parenthesis added).</summary>
    private static IEnumerable<string> Strings(JsonElement element)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                foreach (var property in element.EnumerateObject())
                    foreach (var text in property.Name == "Function Name" ? [property.Value.GetString() + "("] : Strings(property.Value))
                        yield return text;
                break;
            case JsonValueKind.Array:
                foreach (var item in element.EnumerateArray())
                    foreach (var text in Strings(item))
                        yield return text;
                break;
            case JsonValueKind.String:
                yield return element.GetString()!;
                break;
        }
    }
}
