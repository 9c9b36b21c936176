-- The scoring schema; scoring.schema_migrations itself is created by the migrations runner.
CREATE SCHEMA IF NOT EXISTS scoring;
