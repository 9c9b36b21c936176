#!/bin/sh
# Run once by the postgres image when its data folder is created (as POSTGRES_USER, the owner, who migrates).
# Two login roles, their passwords from the pgpass secret (lines *:*:*:<role>:<password>):
#   batchscoring_worker  runs jobs; the migrations grant it the scoring schema (sql/010_roles.sql).
#   batchscoring_source  what sources read through: it may only SELECT what the owner and the worker create, and is
#                        not a member of batchscoring_worker, pg_signal_backend or a superuser, so a job's source
#                        query cannot write, signal other sessions or change settings whatever it calls.
set -eu
pgpass=/run/secrets/pgpass
password() {
  value=$(awk -F: -v role="$1" '$4 == role { print $5; exit }' "$pgpass")
  [ -n "$value" ] || { echo "10-roles.sh: $pgpass has no line for $1 (*:*:*:$1:<password>)" >&2; exit 1; }
  printf '%s' "$value" | sed "s/'/''/g"
}
worker=$(password batchscoring_worker)
source=$(password batchscoring_source)
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" <<SQL
CREATE ROLE batchscoring_worker LOGIN PASSWORD '$worker';
CREATE ROLE batchscoring_source LOGIN PASSWORD '$source';
ALTER DEFAULT PRIVILEGES FOR ROLE "$POSTGRES_USER" GRANT USAGE ON SCHEMAS TO batchscoring_source;
ALTER DEFAULT PRIVILEGES FOR ROLE "$POSTGRES_USER" GRANT SELECT ON TABLES TO batchscoring_source;
ALTER DEFAULT PRIVILEGES FOR ROLE batchscoring_worker GRANT USAGE ON SCHEMAS TO batchscoring_source;
ALTER DEFAULT PRIVILEGES FOR ROLE batchscoring_worker GRANT SELECT ON TABLES TO batchscoring_source;
GRANT USAGE ON SCHEMA public TO batchscoring_source;
SQL
