/**
 * The handlers' Powertools logger (functions/shared/observability.ts) reads POWERTOOLS_LOG_LEVEL once, when
 * it is constructed, and every invocation resets it to that level (injectLambdaContext's sample-rate
 * refresh), so the level must be in the environment before any handler module loads: whatever starts the
 * local platform imports this module first. The default keeps `npm start` from logging every stream batch
 * at INFO; a level already set wins.
 */
process.env.POWERTOOLS_LOG_LEVEL ??= 'WARN';
