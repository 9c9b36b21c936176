using Npgsql;

namespace BatchScoring.Postgres;

/// <summary>
/// A call of the ledger or a store failed in the driver or on the server — most often PostgreSQL could not be reached
/// or dropped the connection: the one exception its callers catch to wait an outage out, as they caught any
/// <see cref="NpgsqlException"/> before. The driver's exception is the inner exception.
/// </summary>
public sealed class DatabaseUnavailableException(NpgsqlException inner) : Exception(inner.Message, inner);
