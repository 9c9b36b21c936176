using Npgsql;

namespace BatchScoring.Postgres;

/// <summary>Runs a call to PostgreSQL, turning the driver's failures into <see cref="DatabaseUnavailableException"/>.</summary>
internal static class DatabaseCalls
{
    public static async Task<T> RunAsync<T>(Func<Task<T>> call)
    {
        try
        {
            return await call();
        }
        catch (NpgsqlException e)
        {
            throw new DatabaseUnavailableException(e);
        }
    }

    public static async Task RunAsync(Func<Task> call)
    {
        try
        {
            await call();
        }
        catch (NpgsqlException e)
        {
            throw new DatabaseUnavailableException(e);
        }
    }
}
