using Dapper;
using Npgsql;

namespace BatchScoring.IntegrationTests;

/// <summary>
/// Creates a job's upsert output table with a statement trigger that sleeps after every write into it, so that each
/// partition takes at least that long. A partition alone takes milliseconds: too little for a test to kill a process,
/// restart the server or cancel the run in the middle of one, or for a second worker to claim any.
/// </summary>
public static class SlowPartitions
{
    public static Task CreateOutputAsync(NpgsqlConnection connection, string table, double seconds) => connection.ExecuteAsync($"""
        CREATE SCHEMA IF NOT EXISTS scored;
        CREATE TABLE {table} (customer_id bigint PRIMARY KEY, score real, probability real, predicted_label boolean,
            model_version text NOT NULL, run_id bigint NOT NULL, partition_id bigint NOT NULL, scored_at timestamptz NOT NULL);
        CREATE OR REPLACE FUNCTION slow_partition() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN PERFORM pg_sleep(TG_ARGV[0]::float8); RETURN NULL; END $$;
        CREATE TRIGGER slow_partition AFTER INSERT ON {table} FOR EACH STATEMENT
            EXECUTE FUNCTION slow_partition('{seconds.ToString(System.Globalization.CultureInfo.InvariantCulture)}');
        """);
}
