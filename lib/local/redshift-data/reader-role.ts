import { WAREHOUSE_READER_ROLE } from '../../../functions/analytics/ports';

/*
 * How PGlite serves a reader, for the emulator's engine (./engine.ts, on its own thread) and the in-process one
 * the tests use (./in-process.ts) — kept apart from them so that the threaded one does not load PGlite on the
 * platform's thread.
 */

/**
 * The reader role exists from the moment the engine opens: it stands for the readers' IAM identities, which
 * Redshift maps to their role at sign-in, before any migration (migration 5 grants it what it may read).
 *
 * And nobody but the engine's superuser runs procedural code: PGlite's one session belongs to that superuser, so a
 * reader's DO block could RESET ROLE and, read-only transaction or not, read and write files through COPY (the
 * warehouse's own among them). Readers query; they have no use for DO.
 */
export const ENSURE_READER_ROLE = `DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '${WAREHOUSE_READER_ROLE}') THEN CREATE ROLE ${WAREHOUSE_READER_ROLE} NOLOGIN; END IF; END $$;
REVOKE USAGE ON LANGUAGE plpgsql FROM PUBLIC`;

/**
 * How a reader's statements run: in a read-only transaction, which nothing inside it can undo (a statement cannot
 * write even by resetting the role to the engine's superuser, which a DO block could), as the reader role, so that
 * a missing grant fails here as it would on Redshift.
 */
export const READ_ONLY_AS_READER = `SET TRANSACTION READ ONLY; SET LOCAL ROLE ${WAREHOUSE_READER_ROLE}`;

/**
 * How a SQL client's statement runs (lib/local/warehouse-wire): in a read-only transaction of its own as the reader
 * role, opened before it and rolled back after it, so nothing it sets outlives it. The SELECT takes the transaction's
 * snapshot, after which not even SET TRANSACTION READ WRITE can make it writable.
 */
export const WIRE_STATEMENT_BEGIN = `BEGIN TRANSACTION READ ONLY; SET LOCAL ROLE ${WAREHOUSE_READER_ROLE}; SELECT 1`;
export const WIRE_STATEMENT_END = 'ROLLBACK';
