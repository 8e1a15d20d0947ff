import { WAREHOUSE_READER_ROLE } from '../../../functions/analytics/ports';

/*
 * How PGlite serves a reader, for the emulator's engine (./engine.ts, on its own thread) and the in-process one
 * the tests use (./in-process.ts) — kept apart from them so that the threaded one does not load PGlite on the
 * platform's thread.
 */

/**
 * The reader role exists from the moment the engine opens: it stands for the readers' IAM identities, which
 * Redshift maps to their role at sign-in, before any migration (migration 5 grants it what it may read).
 */
export const ENSURE_READER_ROLE = `DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '${WAREHOUSE_READER_ROLE}') THEN CREATE ROLE ${WAREHOUSE_READER_ROLE} NOLOGIN; END IF; END $$`;

/**
 * How a reader's statements run: in a read-only transaction, which nothing inside it can undo (a statement cannot
 * write even by resetting the role to the engine's superuser, which a DO block could), as the reader role, so that
 * a missing grant fails here as it would on Redshift.
 */
export const READ_ONLY_AS_READER = `SET TRANSACTION READ ONLY; SET LOCAL ROLE ${WAREHOUSE_READER_ROLE}`;
