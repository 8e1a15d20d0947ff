/**
 * Imported first by the integration global setup, before any handler module loads (lib/local/handler-log-level.ts
 * says why). INFO: the handlers' logs go to the run's log file, not the terminal (support/platform-log.ts), and the
 * global teardown checks that file for secrets: lines the handlers write at INFO and WARN (declined payments,
 * compensations, the tests provoke thousands) are checked too.
 */
process.env.POWERTOOLS_LOG_LEVEL ??= 'INFO';
