/**
 * The audit trail's capture: one middleware of the HTTP stack (./http.ts) that writes one audit event
 * (./audit-event.ts) per state-changing request — every method but GET/HEAD/OPTIONS, answered or rejected — to the
 * Kinesis audit stream named by AUDIT_STREAM. It runs once the answer is final (after the error mapping) and never
 * changes it: a failed or slow write is logged with the whole event, which holds no secrets, and the request is
 * answered anyway. The stream write is therefore at most once; the error log is the trail of what it missed.
 */
import { randomUUID } from 'node:crypto';
import type { MiddlewareObj } from '@middy/core';
import type { Context } from 'aws-lambda';
import { callerOf } from './auth';
import { buildAuditEvent, READ_METHODS, type AuditEvent } from './audit-event';
import type { ApiEvent, ApiResult } from './http';
import { logger } from './observability';

export const AUDIT_STREAM_ENV = 'AUDIT_STREAM';

/** How long a request waits for its audit write, at most, before answering without it. */
export const AUDIT_WRITE_TIMEOUT_MS = 1500;

export interface AuditPublisher {
  publish(event: AuditEvent, signal: AbortSignal): Promise<void>;
}

export interface AuditTrailOptions {
  /** Default: the Kinesis stream AUDIT_STREAM names, through the shared client (loaded on the first write). */
  publisher?: AuditPublisher;
  now?: () => Date;
  timeoutMs?: number;
}

let streamPublisher: Promise<AuditPublisher> | undefined;

/** The Kinesis publisher, imported on first use: a function that only reads never loads the Kinesis client. */
function defaultPublisher(): Promise<AuditPublisher> {
  const streamName = process.env[AUDIT_STREAM_ENV];
  if (!streamName) return Promise.reject(new Error(`${AUDIT_STREAM_ENV} is not set: this function cannot audit`));
  streamPublisher ??= import('./audit-publisher').then((m) => m.kinesisAuditPublisher(streamName));
  return streamPublisher;
}

const headerOf = (event: ApiEvent, name: string) => {
  const headers = event.headers ?? {};
  const key = Object.keys(headers).find((k) => k.toLowerCase() === name);
  return key ? headers[key] : undefined;
};

export function auditTrail(options: AuditTrailOptions = {}): MiddlewareObj<ApiEvent, ApiResult, Error, Context> {
  const now = options.now ?? (() => new Date());
  const timeoutMs = options.timeoutMs ?? AUDIT_WRITE_TIMEOUT_MS;
  const record = async ({
    event,
    context,
    response,
  }: {
    event: ApiEvent;
    context: Context;
    response?: ApiResult | null;
  }) => {
    if (READ_METHODS.has((event.httpMethod ?? 'GET').toUpperCase())) return;
    let auditEvent: AuditEvent | undefined;
    const signal = AbortSignal.timeout(timeoutMs);
    try {
      auditEvent = buildAuditEvent({
        eventId: randomUUID(),
        at: now(),
        method: event.httpMethod,
        resource: event.resource ?? event.path ?? '',
        pathParameters: event.pathParameters,
        caller: callerOf(event),
        requestId: headerOf(event, 'x-request-id') ?? context.awsRequestId,
        body: event.body,
        response: response ?? undefined,
      });
      const publisher = await (options.publisher ? Promise.resolve(options.publisher) : defaultPublisher());
      await publisher.publish(auditEvent, signal);
    } catch (error) {
      // The event goes to the log whole (it is already redacted), so an operator can replay what the stream missed.
      const reason =
        (error as Error)?.name === 'TimeoutError'
          ? `no answer in ${timeoutMs} ms`
          : String((error as Error)?.message ?? error);
      logger.error('audit event not delivered', { error: error as Error, reason, auditEvent });
    }
  };
  return { after: record, onError: record };
}
