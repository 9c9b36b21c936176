using Npgsql;

namespace BatchScoring.Postgres;

/// <summary>
/// PostgreSQL could not be reached or dropped the connection while the adapter talked to it: the one exception
/// callers of the ledger and stores catch to wait an outage out. The driver's exception is the inner exception.
/// </summary>
public sealed class DatabaseUnavailableException(NpgsqlException inner) : Exception(inner.Message, inner);
