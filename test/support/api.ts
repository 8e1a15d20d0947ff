import { randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { WAREHOUSE_VERSION_ID } from '../../functions/analytics/adapters/warehouse-version';
import type { PlatformInfo } from '../integration/global-setup';
import { NOTIFICATION_KEY_PREFIX } from '../../functions/notifications/env';

let started: PlatformInfo | undefined;
/** The local platform test/integration/jest-global-setup.mjs started for the integration run. */
export const platform = (): PlatformInfo => {
  if (started) return started;
  const info = process.env.ECICOMM_TEST_PLATFORM;
  if (!info)
    throw new Error(
      'no local platform: integration tests run in the integration project, whose global setup starts one',
    );
  return (started = JSON.parse(info) as PlatformInfo);
};

export interface ApiResponse<T = any> {
  status: number;
  body: T;
  headers: Headers;
}

export interface RequestOptions {
  method?: string;
  body?: unknown;
  /** Sent as is when a string (for malformed bodies); JSON-encoded otherwise. */
  rawBody?: string | Buffer;
  token?: string;
  headers?: Record<string, string>;
}

export async function api<T = any>(path: string, options: RequestOptions = {}): Promise<ApiResponse<T>> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  let body: string | Buffer | undefined;
  if (options.rawBody !== undefined) body = options.rawBody;
  else if (options.body !== undefined) {
    body = JSON.stringify(options.body);
    headers['content-type'] ??= 'application/json';
  }
  const res = await fetch(`${platform().apiUrl}${path}`, { method: options.method ?? 'GET', headers, body });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    // Not JSON: keep the text so the assertion shows it.
  }
  return { status: res.status, body: parsed as T, headers: res.headers };
}

export const strongPassword = () => `Pw!${randomUUID().slice(0, 8)}a9Z`;

export interface Shopper {
  email: string;
  password: string;
  userId: string;
  token: string;
}

export async function signIn(email: string, password: string): Promise<string> {
  const res = await api('/v1/auth/login', { method: 'POST', body: { email, password } });
  if (res.status !== 200) throw new Error(`login failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.idToken as string;
}

export async function newShopper(): Promise<Shopper> {
  const email = `shopper-${randomUUID()}@example.com`;
  const password = strongPassword();
  const res = await api('/v1/users', {
    method: 'POST',
    body: { email, password, firstName: 'Sam', lastName: 'Shopper' },
  });
  if (res.status !== 201) throw new Error(`register failed: ${res.status} ${JSON.stringify(res.body)}`);
  return { email, password, userId: res.body.userId, token: await signIn(email, password) };
}

let adminToken: Promise<string> | undefined;
export const adminSession = () => (adminToken ??= signIn(platform().admin.email, platform().admin.password));

let docClient: DynamoDBDocumentClient | undefined;
export function dynamo(): DynamoDBDocumentClient {
  const p = platform();
  docClient ??= DynamoDBDocumentClient.from(
    new DynamoDBClient({
      region: p.region,
      endpoint: p.dynamoEndpoint,
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    }),
  );
  return docClient;
}

/**
 * Every item of every table, to prove a rejected request changed nothing — but the warehouse version, which
 * the analytics consumers bump in the background whenever a stream batch (another test's order, the seed)
 * reaches the warehouse, the audit trail, which records every request, rejected ones too (audit.test.ts), and the
 * notifications' idempotency records, written when another test's order event reaches the shopper's e-mail.
 */
const backgroundWrite = (table: string, item: Record<string, unknown>) =>
  (table === 'aggregates' && item.id === WAREHOUSE_VERSION_ID) ||
  (table === 'idempotency' && String(item.id).startsWith(`${NOTIFICATION_KEY_PREFIX}#`));

export async function snapshotTables(): Promise<Record<string, unknown[]>> {
  const out: Record<string, unknown[]> = {};
  for (const [key, TableName] of Object.entries(platform().tableNames)) {
    if (key === 'audit') continue;
    const items: unknown[] = [];
    let ExclusiveStartKey: Record<string, unknown> | undefined;
    do {
      const page = await dynamo().send(new ScanCommand({ TableName, ExclusiveStartKey }));
      items.push(...(page.Items ?? []).filter((i) => !backgroundWrite(key, i)));
      ExclusiveStartKey = page.LastEvaluatedKey;
    } while (ExclusiveStartKey);
    out[key] = items.sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
  }
  return out;
}
