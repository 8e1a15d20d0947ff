/**
 * Imported first by the integration global setup, before any handler module loads (lib/local/handler-log-level.ts
 * says why): handlers log expected failures (declined payments, compensations) at WARN, and the tests provoke
 * thousands.
 */
process.env.POWERTOOLS_LOG_LEVEL ??= 'ERROR';
