/**
 * One audit event: who did what to which resource, when, with which outcome, and the fields they sent — secrets
 * redacted. Built by the HTTP stack for every state-changing request (./audit.ts), streamed to the audit stream,
 * archived to S3 and kept queryable for a while (functions/audit). Pure: the request's parts and a clock come in.
 */
import { redactSecrets } from './redaction';

export interface AuditEvent {
  /** Unique per event: the key that makes a redelivered record overwrite itself rather than count twice. */
  eventId: string;
  /** When the request was answered (ISO 8601, UTC). */
  at: string;
  /** The caller's Cognito sub, or `anonymous` (registration, a failed login, an anonymous cart). */
  userId: string;
  groups: string[];
  /** The route template, e.g. `PUT /v1/products/{id}`. */
  route: string;
  /** What the request changed: the path's id, else the id the answer names (a created product, order, user). */
  resourceId?: string;
  requestId: string;
  /** The HTTP status of the answer: rejected requests are audited too. */
  status: number;
  /** The request body's fields and values, secrets and personal data redacted. */
  changes: Record<string, unknown>;
}

export const ANONYMOUS = 'anonymous';

/** A body whose redacted JSON is larger than this is recorded by its field names only. */
export const MAX_CHANGES_BYTES = 8 * 1024;

export interface AuditedRequest {
  eventId: string;
  at: Date;
  method: string;
  /** API Gateway's resource template: `/products/{id}` (stage-relative), or with its `/v1`. */
  resource: string;
  pathParameters: Record<string, string | undefined> | null | undefined;
  caller: { userId: string; groups: string[] } | undefined;
  requestId: string;
  /** The body as the function saw it: parsed JSON, or the raw string when it never parsed. */
  body: unknown;
  response: { statusCode: number; body?: string } | undefined;
}

/** Methods that change nothing; every other one is audited. */
export const READ_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Values from the request (a path's id, the x-request-id header) are bounded: a hostile request is audited too, and
 * its event must still be one the recorder and the audit table accept.
 */
export const MAX_ID_LENGTH = 256;
const bounded = (value: string) => (value.length > MAX_ID_LENGTH ? value.slice(0, MAX_ID_LENGTH) : value);

export function buildAuditEvent(request: AuditedRequest): AuditEvent {
  const status = request.response?.statusCode ?? 500;
  const answer = status < 300 ? parseJson(request.response?.body) : undefined;
  const subject = request.caller ?? signedInBy(answer);
  const resourceId = resourceIdOf(request.pathParameters) ?? idInAnswer(answer);
  return {
    eventId: request.eventId,
    at: request.at.toISOString(),
    userId: subject?.userId ?? ANONYMOUS,
    groups: subject?.groups ?? [],
    route: `${request.method.toUpperCase()} ${routeTemplate(request.resource)}`,
    ...(resourceId ? { resourceId: bounded(resourceId) } : {}),
    requestId: bounded(request.requestId) || 'unknown',
    status,
    changes: redactedChanges(request.body),
  };
}

export const routeTemplate = (resource: string) => (resource.startsWith('/v1/') ? resource : `/v1${resource}`);

/** Bodies nested deeper than this are recorded by their field names only (JSON.stringify recurses). */
export const MAX_CHANGES_DEPTH = 16;

/** Whether a parsed body nests deeper than `limit`, walked without recursion (a body may nest 100,000 deep). */
function nestsDeeperThan(body: unknown, limit: number): boolean {
  const pending: [unknown, number][] = [[body, 0]];
  while (pending.length > 0) {
    const [value, depth] = pending.pop()!;
    if (value === null || typeof value !== 'object') continue;
    if (depth >= limit) return true;
    for (const child of Object.values(value)) pending.push([child, depth + 1]);
  }
  return false;
}

/** The body's fields with secrets and personal data redacted (./redaction.ts), bounded in size and depth. */
export function redactedChanges(body: unknown): Record<string, unknown> {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return {};
  if (nestsDeeperThan(body, MAX_CHANGES_DEPTH)) return { truncated: true, fields: Object.keys(body) };
  const redacted = JSON.parse(JSON.stringify(body, redactSecrets)) as Record<string, unknown>;
  if (Buffer.byteLength(JSON.stringify(redacted)) <= MAX_CHANGES_BYTES) return redacted;
  return { truncated: true, fields: Object.keys(redacted) };
}

function resourceIdOf(params: AuditedRequest['pathParameters']): string | undefined {
  const values = Object.values(params ?? {}).filter((v): v is string => typeof v === 'string' && v.length > 0);
  return values.length ? values.join('/') : undefined;
}

const ID_FIELDS = ['id', 'orderId', 'productId', 'userId'] as const;

/** A created resource's id, as the successful answer names it. */
function idInAnswer(answer: Record<string, unknown> | undefined): string | undefined {
  for (const field of ID_FIELDS) {
    const value = answer?.[field];
    if (typeof value === 'string' && value.length > 0 && value.length <= 128) return value;
  }
  return undefined;
}

/**
 * Who a successful sign-in signed in: the `sub` and groups of the ID token it answers with (which the function
 * itself just got from Cognito, so reading it unverified is safe). The token itself never enters the event.
 */
function signedInBy(answer: Record<string, unknown> | undefined): { userId: string; groups: string[] } | undefined {
  const token = answer?.idToken;
  if (typeof token !== 'string') return undefined;
  const claims = parseJson(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8'));
  if (typeof claims?.sub !== 'string') return undefined;
  const groups = claims['cognito:groups'];
  return { userId: claims.sub, groups: Array.isArray(groups) ? groups.map(String) : [] };
}

function parseJson(text: string | undefined): Record<string, unknown> | undefined {
  if (!text) return undefined;
  try {
    const value = JSON.parse(text) as unknown;
    return value !== null && typeof value === 'object' && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}
