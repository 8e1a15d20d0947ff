/**
 * Helpers for the hostile-input and authorization suites: a raw HTTP client (fetch normalises URLs, refuses
 * a body on GET and always sets a content type, which is exactly what these suites need to avoid), the
 * contract's error-shape check, a small concurrency pool, zod/mini schema introspection so cases can be
 * generated from the route table, and hand-made JWTs for token tampering.
 */
import { createPrivateKey, generateKeyPairSync, sign as rsaSign, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import http, { type IncomingHttpHeaders } from 'node:http';
import { createRequire } from 'node:module';
import type { Route } from '../../lib/routes';
import { tables } from '../../lib/tables';
import { platform, snapshotTables } from './api';

// ---------------------------------------------------------------------------------------------------------
// Raw HTTP

export interface RawRequest {
  method: string;
  /** Sent byte for byte as the request target: no normalisation, no re-encoding. */
  path: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
  /** Stream the body with chunked transfer encoding (no content-length). */
  chunked?: boolean;
  /**
   * Send only this many bytes of the body, then wait for the answer and drop the connection: how a client
   * learns, without racing the server's close, that a body it announced is refused.
   */
  stallAfter?: number;
  /** Hand the whole body to the socket at once, as a simple client does, instead of pacing it. */
  writeAll?: boolean;
  token?: string;
}

export interface RawResponse {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
  /** The parsed JSON body, or undefined when the body is not JSON. */
  json: any;
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 16 });

/**
 * One request over node:http. Resolves with the response even when the server answers before it has read
 * the whole body (413) and then closes the connection: a write error after the response is not a failure.
 */
export function rawRequest(req: RawRequest): Promise<RawResponse> {
  const url = new URL(platform().apiUrl);
  const headers: Record<string, string> = { ...req.headers };
  if (req.token) headers.authorization = `Bearer ${req.token}`;
  const body =
    req.body === undefined ? undefined : Buffer.isBuffer(req.body) ? req.body : Buffer.from(req.body, 'utf8');
  // node:http only frames a GET/DELETE body as chunked when asked to.
  if (body && req.chunked) headers['transfer-encoding'] = 'chunked';
  else if (body) headers['content-length'] = String(body.length);
  return new Promise((resolve, reject) => {
    let answered = false;
    const request = http.request(
      { host: url.hostname, port: url.port, method: req.method, path: req.path, headers, agent, setHost: true },
      (res) => {
        answered = true;
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let json: unknown;
          try {
            json = text ? JSON.parse(text) : undefined;
          } catch {
            json = undefined;
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json });
        });
      },
    );
    request.on('error', (e) => {
      if (!answered) reject(e);
    });
    if (body && req.stallAfter !== undefined) {
      const limit = req.stallAfter;
      const timer = setTimeout(() => request.destroy(new Error(`no answer after ${limit} body bytes`)), 10_000);
      request.once('response', (res) => res.once('end', () => (clearTimeout(timer), request.destroy())));
      request.flushHeaders();
      let sent = 0;
      const feed = () => {
        if (answered || request.destroyed || sent >= limit) return;
        const chunk = body.subarray(sent, Math.min(limit, sent + 64 * 1024));
        sent += chunk.length;
        if (request.write(chunk)) setImmediate(feed);
        else request.once('drain', () => setImmediate(feed));
      };
      return void feed();
    }
    if (!body || body.length <= 64 * 1024 || req.writeAll) return void request.end(body);
    // Large bodies go 64 KiB at a time, yielding in between, and stop once the server has answered: a
    // server that refuses a body early (413) and closes must not turn its answer into a broken pipe here.
    const step = 64 * 1024;
    let offset = 0;
    const pump = () => {
      if (answered || request.destroyed) return;
      if (offset >= body.length) return void request.end();
      const chunk = body.subarray(offset, offset + step);
      offset += step;
      if (request.write(chunk)) setImmediate(pump);
      else request.once('drain', () => setImmediate(pump));
    };
    pump();
  });
}

// ---------------------------------------------------------------------------------------------------------
// The contract's error shape

/** API.md's codes by status (409 has two). */
export const CODES_BY_STATUS: Record<number, string[]> = {
  400: ['VALIDATION_ERROR'],
  401: ['UNAUTHORIZED'],
  403: ['FORBIDDEN'],
  404: ['NOT_FOUND'],
  409: ['CONFLICT', 'INSUFFICIENT_STOCK'],
  413: ['PAYLOAD_TOO_LARGE'],
  415: ['UNSUPPORTED_MEDIA_TYPE'],
  429: ['RATE_LIMITED'],
  500: ['INTERNAL'],
  503: ['DEPENDENCY_UNAVAILABLE'],
};

export interface ErrorExpectation {
  /** Allowed statuses; any 4xx when absent. A 2xx listed here is accepted (only x-request-id is checked). */
  status?: number | number[];
  /** A details entry whose path starts with this must be present (when the status is 400). */
  detailPath?: string;
  /** The request id the client sent, which must be echoed. */
  requestId?: string;
}

/**
 * Everything wrong with an error response, as readable strings (empty when it is a proper contract error).
 * Collecting problems instead of failing on the first lets a whole batch report every broken case at once.
 */
export function errorProblems(res: RawResponse, expected: ErrorExpectation = {}): string[] {
  const problems: string[] = [];
  const allowed = expected.status === undefined ? undefined : ([] as number[]).concat(expected.status);
  const acceptedOk = res.status < 400 && !!allowed?.includes(res.status);
  if (res.status >= 500) problems.push(`server error ${res.status} (never for bad input): ${res.text.slice(0, 300)}`);
  else if (res.status < 400 && !acceptedOk) problems.push(`accepted with ${res.status}: ${res.text.slice(0, 300)}`);
  else if (allowed && !allowed.includes(res.status))
    problems.push(`status ${res.status}, expected ${allowed.join(' or ')}: ${res.text.slice(0, 300)}`);

  const requestId = res.headers['x-request-id'];
  if (typeof requestId !== 'string' || requestId.length === 0) problems.push('no x-request-id header');
  else if (expected.requestId && requestId !== expected.requestId)
    problems.push(`x-request-id ${requestId} is not the one sent (${expected.requestId})`);

  if (res.status < 400) return problems;
  if (!String(res.headers['content-type'] ?? '').startsWith('application/json')) {
    problems.push(`content-type ${String(res.headers['content-type'])}, not application/json`);
  }
  const body = res.json as { error?: { code?: unknown; message?: unknown; details?: unknown } } | undefined;
  const error = body?.error;
  if (!body || typeof body !== 'object' || !error || typeof error !== 'object') {
    problems.push(`body is not {error:{...}}: ${JSON.stringify(res.text.slice(0, 200))}`);
    return problems;
  }
  const extraTop = Object.keys(body).filter((k) => k !== 'error');
  if (extraTop.length) problems.push(`unexpected top-level keys ${extraTop.join(', ')}`);
  const extraError = Object.keys(error).filter((k) => !['code', 'message', 'details'].includes(k));
  if (extraError.length) problems.push(`unexpected error keys ${extraError.join(', ')}`);
  const codes = CODES_BY_STATUS[res.status];
  if (!codes) problems.push(`status ${res.status} has no code in the contract`);
  else if (!codes.includes(error.code as string))
    problems.push(`code ${String(error.code)} does not match status ${res.status} (${codes.join('|')})`);
  if (typeof error.message !== 'string' || error.message.trim().length < 3)
    problems.push(`message ${JSON.stringify(error.message)} is not human readable`);
  if (error.details !== undefined) {
    if (!Array.isArray(error.details) || error.details.length === 0)
      problems.push('details is present but not a non-empty array');
    else
      for (const d of error.details as { path?: unknown; message?: unknown }[]) {
        if (typeof d?.path !== 'string' || typeof d?.message !== 'string' || !d.message)
          problems.push(`malformed detail ${JSON.stringify(d)}`);
      }
  }
  if (expected.detailPath !== undefined && res.status === 400) {
    const paths = Array.isArray(error.details) ? (error.details as { path?: string }[]).map((d) => d.path ?? '') : [];
    const named =
      paths.some((p) => p === expected.detailPath || p.startsWith(`${expected.detailPath}.`)) ||
      String(error.message).includes(expected.detailPath);
    if (!named) problems.push(`neither details (${JSON.stringify(paths)}) nor message name ${expected.detailPath}`);
  }
  return problems;
}

// ---------------------------------------------------------------------------------------------------------
// Concurrency

/** Runs fn over items, `concurrency` at a time, keeping the order of results. */
export async function pool<T, R>(
  items: T[],
  concurrency: number,
  fn: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i]!, i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
  return results;
}

// ---------------------------------------------------------------------------------------------------------
// Routes and their schemas

/** The route's path with each `{param}` replaced (values are inserted as given: encode them first). */
export const fillPath = (route: Route, params: Record<string, string>): string =>
  route.path.replace(/\{(\w+)\}/g, (_, name: string) => {
    if (!(name in params)) throw new Error(`no value for path parameter ${name} of ${route.id}`);
    return params[name]!;
  });

export const pathParamNames = (route: Route): string[] => [...route.path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!);

type AnySchema = { _zod: { def: any; optin?: string }; safeParse(v: unknown): { success: boolean } };

/** The fields of an object schema (zod/mini), or undefined when the schema is not an object. */
export function shapeOf(schema: unknown): Record<string, AnySchema> | undefined {
  const def = (schema as AnySchema | undefined)?._zod?.def;
  return def?.type === 'object' ? (def.shape as Record<string, AnySchema>) : undefined;
}

export const isOptional = (field: AnySchema): boolean =>
  field._zod.optin === 'optional' || field._zod.optin === 'defaulted';

export type JsonKind = 'string' | 'number' | 'boolean' | 'null' | 'array' | 'object';

/** The JSON kinds a field's schema is built to take (unwrapping optional, pipe, default, union...). */
export function jsonKinds(field: AnySchema): Set<JsonKind> {
  const def = field._zod.def;
  switch (def.type) {
    case 'optional':
    case 'nonoptional':
    case 'default':
    case 'prefault':
    case 'catch':
    case 'readonly':
      return jsonKinds(def.innerType);
    case 'nullable':
      return new Set<JsonKind>([...jsonKinds(def.innerType), 'null']);
    case 'pipe':
      return jsonKinds(def.in);
    case 'union':
      return new Set<JsonKind>((def.options as AnySchema[]).flatMap((o) => [...jsonKinds(o)]));
    case 'string':
    case 'enum':
    case 'literal':
    case 'template_literal':
      return new Set(['string']);
    case 'number':
    case 'int':
    case 'bigint':
      return new Set(['number']);
    case 'boolean':
      return new Set(['boolean']);
    case 'null':
      return new Set(['null']);
    case 'array':
    case 'tuple':
      return new Set(['array']);
    case 'object':
    case 'record':
    case 'map':
      return new Set(['object']);
    default:
      // unknown / any / transform...: takes anything.
      return new Set(['string', 'number', 'boolean', 'null', 'array', 'object']);
  }
}

/** Whether a field is (possibly optional) free-form record, e.g. attributes or preferences. */
export const isRecord = (field: AnySchema): boolean => unwrap(field)._zod.def.type === 'record';

const WRAPPERS = ['optional', 'nonoptional', 'default', 'prefault', 'nullable', 'readonly', 'catch'];

/** The schema under optional/default/nullable... wrappers. */
export function unwrap(field: AnySchema): AnySchema {
  let f = field;
  while (WRAPPERS.includes(f._zod.def.type)) f = f._zod.def.innerType as AnySchema;
  return f;
}

export type FieldPath = (string | number)[];
export interface FieldSlot {
  path: FieldPath;
  field: AnySchema;
}

/**
 * Every field of an object schema, nested objects and the first element of arrays of objects included
 * (arrays only where `sample`, a valid value, has an element to go into), as paths such as
 * ['shippingAddress', 'city'] or ['items', 0, 'quantity'].
 */
export function fieldSlots(schema: unknown, sample: unknown, prefix: FieldPath = []): FieldSlot[] {
  const shape = shapeOf(schema === undefined ? undefined : unwrap(schema as AnySchema));
  if (!shape) return [];
  const out: FieldSlot[] = [];
  for (const [key, field] of Object.entries(shape)) {
    const path = [...prefix, key];
    out.push({ path, field });
    const inner = unwrap(field);
    const value = (sample as Record<string, unknown> | undefined)?.[key];
    if (inner._zod.def.type === 'object') out.push(...fieldSlots(inner, value, path));
    if (inner._zod.def.type === 'array' && Array.isArray(value) && value.length > 0)
      out.push(...fieldSlots(inner._zod.def.element, value[0], [...path, 0]));
  }
  return out;
}

/** A deep copy of `value` with `path` set to `to` (or deleted when `to` is DELETE). */
export const DELETE = Symbol('delete');
export function withPath<T>(value: T, path: FieldPath, to: unknown): T {
  const copy = structuredClone(value) as any;
  let node = copy;
  for (const step of path.slice(0, -1)) node = node[step] ??= {};
  const last = path.at(-1)!;
  if (to === DELETE) delete node[last];
  else node[last] = to;
  return copy;
}

export const pathString = (path: FieldPath) => path.join('.');

export const SAMPLE_OF_KIND: Record<JsonKind, unknown> = {
  string: 'not-the-right-type',
  number: 42,
  boolean: true,
  null: null,
  array: ['x'],
  object: { nested: 'x' },
};

// ---------------------------------------------------------------------------------------------------------
// Hostile strings

export interface HostileString {
  label: string;
  value: string;
  /**
   * Must be refused wherever a string is accepted: markup, control characters, bidi overrides, unbounded
   * length. The others (SQL, traversal...) are plain text to a text field and are refused only where the
   * field has a format (ids, emails, enums), so the schema decides for them.
   */
  alwaysRefused: boolean;
  /** Bidi controls: refused too, but checked on their own (a policy question more than a parser one). */
  bidi: boolean;
}

export const HOSTILE_STRINGS: HostileString[] = [
  { label: 'SQL tautology', value: "' OR 1=1 --", alwaysRefused: false, bidi: false },
  { label: 'SQL drop table', value: '"; DROP TABLE products; --', alwaysRefused: false, bidi: false },
  { label: 'NoSQL operator', value: '{"$gt": ""}', alwaysRefused: false, bidi: false },
  { label: 'path traversal', value: '../../etc/passwd', alwaysRefused: false, bidi: false },
  { label: 'encoded path traversal', value: '..%2F..%2Fetc%2Fpasswd', alwaysRefused: false, bidi: false },
  { label: 'literal %00', value: 'abc%00def', alwaysRefused: false, bidi: false },
  { label: 'script tag', value: '<script>alert(1)</script>', alwaysRefused: true, bidi: false },
  { label: 'img onerror', value: '"><img src=x onerror=alert(1)>', alwaysRefused: true, bidi: false },
  { label: 'NUL character', value: 'abc\u0000def', alwaysRefused: true, bidi: false },
  { label: 'C0 control (bell, escape)', value: 'ring\u0007\u001b[31mred', alwaysRefused: true, bidi: false },
  { label: 'RTL override (U+202E)', value: 'invoice\u202Efdp.exe', alwaysRefused: true, bidi: true },
  { label: '10k emoji', value: '😀'.repeat(10_000), alwaysRefused: true, bidi: false },
  { label: '12k CJK', value: '漢字'.repeat(6_000), alwaysRefused: true, bidi: false },
];

/** Request targets sent byte for byte (the raw client does not re-encode them) in a path parameter. */
export const HOSTILE_PATH_SEGMENTS: {
  label: string;
  raw: string;
  /** statuses allowed besides 400 */ alsoAllowed?: number[];
}[] = [
  ...HOSTILE_STRINGS.filter((h) => h.value.length < 100).map((h) => ({
    label: h.label,
    raw: encodeURIComponent(h.value),
  })),
  { label: 'raw ../ traversal (normalised by the URL parser)', raw: '../../etc/passwd', alsoAllowed: [404] },
  { label: 'encoded ..%2F traversal', raw: '..%2F..%2Fetc%2Fpasswd' },
  { label: 'double-encoded traversal', raw: '..%252F..%252Fetc%252Fpasswd' },
  { label: 'encoded NUL', raw: 'abc%00' },
  { label: 'malformed percent-encoding %ZZ', raw: 'abc%ZZ' },
  { label: 'truncated percent-encoding', raw: 'abc%E0%A4%A' },
  { label: 'overlong UTF-8 for /', raw: '%C0%AF..%C0%AF' },
  { label: 'lone surrogate', raw: '%ED%A0%80' },
  { label: '1000 emoji (~12 KB URL)', raw: encodeURIComponent('😀'.repeat(1_000)) },
];

// ---------------------------------------------------------------------------------------------------------
// Tokens

const b64url = (v: string | Buffer) => Buffer.from(v).toString('base64url');

export const decodeJwt = (token: string) => {
  const [h, p, s] = token.split('.');
  return {
    header: JSON.parse(Buffer.from(h!, 'base64url').toString('utf8')) as Record<string, unknown>,
    payload: JSON.parse(Buffer.from(p!, 'base64url').toString('utf8')) as Record<string, unknown>,
    signature: s!,
  };
};

export const encodeJwt = (header: object, payload: object, key?: KeyObject): string => {
  const signingInput = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(payload))}`;
  const signature = key ? rsaSign('sha256', Buffer.from(signingInput), key).toString('base64url') : '';
  return `${signingInput}.${signature}`;
};

/**
 * cognito-local signs every token with one RSA key shipped inside the package (its JWKS is public and
 * fixed). Signing with it is how a test makes a token that is correctly signed but expired, or issued for
 * another audience: exactly what the edge's verifier must still refuse.
 */
export function emulatorSigningKey(): KeyObject {
  const require = createRequire(import.meta.url);
  const file = require.resolve('cognito-local/lib/keys/cognitoLocal.private.json');
  const { pem } = JSON.parse(readFileSync(file, 'utf8')) as { pem: string };
  return createPrivateKey(pem);
}

/** A key nobody trusts, for a token signed by someone else under the emulator's key id. */
export const foreignKey = (): KeyObject => generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;

/** Flips one bit of the first signature byte (still valid base64url of the same length). */
export function flipSignatureByte(token: string): string {
  const [h, p, s] = token.split('.');
  const sig = Buffer.from(s!, 'base64url');
  sig[0] = sig[0]! ^ 0x01;
  return `${h}.${p}.${sig.toString('base64url')}`;
}

/** Replaces claims in the payload but keeps the original signature. */
export function alterPayload(token: string, changes: Record<string, unknown>): string {
  const [h, , s] = token.split('.');
  const { payload } = decodeJwt(token);
  return `${h}.${b64url(JSON.stringify({ ...payload, ...changes }))}.${s}`;
}

// ---------------------------------------------------------------------------------------------------------
// Table snapshots

/** What changed between two snapshotTables() results, item by item (short enough to read in a failure). */
export function snapshotDiff(before: Record<string, unknown[]>, after: Record<string, unknown[]>): string[] {
  const out: string[] = [];
  for (const table of new Set([...Object.keys(before), ...Object.keys(after)])) {
    const spec = (tables as Record<string, { partitionKey: string; sortKey?: string }>)[table];
    const keyOf = (item: any) =>
      spec ? `${item[spec.partitionKey]}${spec.sortKey ? `/${item[spec.sortKey]}` : ''}` : JSON.stringify(item);
    const a = new Map((before[table] ?? []).map((i) => [keyOf(i), JSON.stringify(i)]));
    const b = new Map((after[table] ?? []).map((i) => [keyOf(i), JSON.stringify(i)]));
    for (const [k, v] of b) {
      if (!a.has(k)) out.push(`${table}: added ${v.slice(0, 300)}`);
      else if (a.get(k) !== v) out.push(`${table}: changed ${k}: ${a.get(k)!.slice(0, 200)} -> ${v.slice(0, 200)}`);
    }
    for (const k of a.keys()) if (!b.has(k)) out.push(`${table}: removed ${k}`);
  }
  return out;
}

/**
 * A snapshot taken once the tables have stopped changing (two equal scans in a row): work a previous test
 * left running (a checkout saga finishing) must not be mistaken for a write of the batch under test.
 */
export async function quietSnapshot(timeoutMs = 15_000): Promise<Record<string, unknown[]>> {
  const deadline = Date.now() + timeoutMs;
  let previous = JSON.stringify(await snapshotTables());
  for (;;) {
    await new Promise((r) => setTimeout(r, 250));
    const current = await snapshotTables();
    const text = JSON.stringify(current);
    if (text === previous || Date.now() > deadline) return current;
    previous = text;
  }
}
