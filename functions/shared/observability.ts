import { Logger } from '@aws-lambda-powertools/logger';
import { Tracer } from '@aws-lambda-powertools/tracer';
import { redactSecrets } from './redaction';

/**
 * One logger and tracer per function; service name from POWERTOOLS_SERVICE_NAME. Every log item is
 * serialized through redactSecrets (./redaction.ts): no password, token, payment token or shopper contact
 * detail reaches a log, at any level, even with POWERTOOLS_LOGGER_LOG_EVENT on.
 */
export const logger = new Logger({
  serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'ecicomm',
  jsonReplacerFn: redactSecrets,
});
export const tracer = new Tracer({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'ecicomm' });
