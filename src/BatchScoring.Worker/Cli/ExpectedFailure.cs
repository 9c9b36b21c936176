using System.Net.Sockets;
using BatchScoring.Core.Errors;
using BatchScoring.Postgres;
using Microsoft.Extensions.Options;
using Npgsql;

namespace BatchScoring.Worker.Cli;

/// <summary>
/// A failure the user can cause and fix (bad input, an unreachable or refusing database): it is shown
/// as one line and an exit code, never as a stack trace.
/// </summary>
internal sealed record ExpectedFailure(string Message, int ExitCode)
{
    private const string ConnectionSetting = "ConnectionStrings:BatchScoring (ConnectionStrings__BatchScoring)";

    public static ExpectedFailure? Of(Exception e) => e switch
    {
        DatabaseUnavailableException { InnerException: { } driver } => Of(driver),
        BatchScoringException or FileNotFoundException or DirectoryNotFoundException or OptionsValidationException => new(e.Message, ExitCodes.InvalidInput),
        PostgresException { SqlState: PostgresErrorCodes.InvalidPassword or PostgresErrorCodes.InvalidAuthorizationSpecification
            or PostgresErrorCodes.InvalidCatalogName } refused
            => new($"PostgreSQL refused the connection: {refused.MessageText}; check {ConnectionSetting}.", ExitCodes.DatabaseUnavailable),
        PostgresException { SqlState: PostgresErrorCodes.InsufficientPrivilege } denied
            => new($"PostgreSQL refused: {denied.MessageText}. The role of {ConnectionSetting} lacks a privilege this command needs: "
                + "the verbs that score or migrate need batchscoring_worker's rights (migrate: the database owner's), and batchscoring_analyst only reads (README, \"Security: least privilege and TLS\").",
                ExitCodes.InvalidInput),
        NpgsqlException when Innermost(e) is SocketException socket
            => new($"Cannot connect to PostgreSQL: {e.Message} ({socket.Message}); check {ConnectionSetting} and that the server runs.",
                ExitCodes.DatabaseUnavailable),
        _ => null,
    };

    private static Exception Innermost(Exception e)
    {
        while (e.InnerException is { } inner)
            e = inner;
        return e;
    }
}
