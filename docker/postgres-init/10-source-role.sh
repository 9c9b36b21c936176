#!/bin/sh
# Run once by the postgres image when its data folder is created: the login role that sources read through.
# It may only SELECT what the database owner creates (and is not a member of batchscoring_worker, pg_signal_backend
# or a superuser), so a job's source query cannot write, signal other sessions or change settings whatever it calls.
set -eu
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" <<SQL
CREATE ROLE batchscoring_source LOGIN PASSWORD '${SOURCE_PASSWORD}';
ALTER DEFAULT PRIVILEGES FOR ROLE "$POSTGRES_USER" GRANT USAGE ON SCHEMAS TO batchscoring_source;
ALTER DEFAULT PRIVILEGES FOR ROLE "$POSTGRES_USER" GRANT SELECT ON TABLES TO batchscoring_source;
GRANT USAGE ON SCHEMA public TO batchscoring_source;
SQL
