-- Least-privilege roles, created without LOGIN or password: ops grant those (see the README).
--   batchscoring_worker  : runs jobs: uses and writes the scoring schema, creates and writes output tables,
--                          reads the sources it is granted (GRANT SELECT ON <source> TO batchscoring_worker).
--   batchscoring_analyst : reads the ledger, the model registry, drift tables and output tables; writes nothing.
-- Roles belong to the whole cluster while this script runs once per database, maybe in several
-- databases at once: creation tolerates a role that exists or is being created by another migration.
DO $$
DECLARE
    role_name text;
BEGIN
    FOREACH role_name IN ARRAY ARRAY['batchscoring_worker', 'batchscoring_analyst'] LOOP
        IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = role_name) THEN
            BEGIN
                EXECUTE format('CREATE ROLE %I NOLOGIN', role_name);
            EXCEPTION WHEN duplicate_object OR unique_violation THEN
                NULL;
            END;
        END IF;
    END LOOP;
END
$$;

-- The worker: the ledger and registry tables, present and future (tables later migrations create).
GRANT USAGE, CREATE ON SCHEMA scoring TO batchscoring_worker;
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA scoring TO batchscoring_worker;
GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA scoring TO batchscoring_worker;
ALTER DEFAULT PRIVILEGES IN SCHEMA scoring GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO batchscoring_worker;
ALTER DEFAULT PRIVILEGES IN SCHEMA scoring GRANT USAGE, SELECT, UPDATE ON SEQUENCES TO batchscoring_worker;
-- `worker` and `run` check the migrations at start (CREATE SCHEMA/TABLE IF NOT EXISTS), and jobs create
-- their output schemas: both need CREATE on the database. TEMP is for the staging table of each partition.
DO $$
BEGIN
    EXECUTE format('GRANT CONNECT, CREATE, TEMPORARY ON DATABASE %I TO batchscoring_worker', current_database());
END
$$;

-- The analyst: read-only on everything in scoring, present and future.
GRANT USAGE ON SCHEMA scoring TO batchscoring_analyst;
GRANT SELECT ON ALL TABLES IN SCHEMA scoring TO batchscoring_analyst;
ALTER DEFAULT PRIVILEGES IN SCHEMA scoring GRANT SELECT ON TABLES TO batchscoring_analyst;
DO $$
BEGIN
    EXECUTE format('GRANT CONNECT ON DATABASE %I TO batchscoring_analyst', current_database());
END
$$;

-- Output schemas and tables the worker creates later are readable by the analyst. Default privileges
-- FOR ROLE need the migrating user to be a superuser or a member of batchscoring_worker; otherwise ops
-- run these two statements once per database as such a user (the README shows them).
DO $$
BEGIN
    IF pg_has_role(current_user, 'batchscoring_worker', 'USAGE') THEN
        ALTER DEFAULT PRIVILEGES FOR ROLE batchscoring_worker GRANT USAGE ON SCHEMAS TO batchscoring_analyst;
        ALTER DEFAULT PRIVILEGES FOR ROLE batchscoring_worker GRANT SELECT ON TABLES TO batchscoring_analyst;
    ELSE
        RAISE WARNING 'batchscoring: % is not a member of batchscoring_worker: output tables the worker creates will not be readable by batchscoring_analyst until a superuser runs: ALTER DEFAULT PRIVILEGES FOR ROLE batchscoring_worker GRANT USAGE ON SCHEMAS TO batchscoring_analyst; ALTER DEFAULT PRIVILEGES FOR ROLE batchscoring_worker GRANT SELECT ON TABLES TO batchscoring_analyst;', current_user;
    END IF;
END
$$;
