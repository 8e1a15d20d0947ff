/**
 * The e2e files' one way to call a platform's API from Node: JSON in, the status, the body (parsed when it is JSON,
 * else its text, undefined when empty) and the headers out; `ok` also fails unless the status is the expected one.
 */
export interface CallOptions {
  method?: string;
  /** A Cognito ID token, sent as a bearer token. */
  token?: string;
  /** A partner's usage-plan key, sent as x-api-key. */
  apiKey?: string;
  /** Sent as JSON. */
  body?: unknown;
  /** Sent as it is, as JSON's content type (malformed bodies). */
  raw?: string;
  headers?: Record<string, string>;
  timeoutMs?: number;
}

export interface Reply {
  status: number;
  body: any;
  headers: Headers;
}

export async function call(baseUrl: string, route: string, options: CallOptions = {}): Promise<Reply> {
  const res = await fetch(`${baseUrl}${route}`, {
    method: options.method ?? 'GET',
    headers: {
      ...(options.body !== undefined || options.raw !== undefined ? { 'content-type': 'application/json' } : {}),
      ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
      ...(options.apiKey ? { 'x-api-key': options.apiKey } : {}),
      ...options.headers,
    },
    body: options.raw ?? (options.body === undefined ? undefined : JSON.stringify(options.body)),
    signal: options.timeoutMs ? AbortSignal.timeout(options.timeoutMs) : undefined,
  });
  return { status: res.status, body: parsed(await res.text()), headers: res.headers };
}

/** The body of a call answered with `expect` (200 by default); any other answer fails, showing it. */
export async function ok(
  baseUrl: string,
  route: string,
  options: CallOptions & { expect?: number } = {},
): Promise<any> {
  const reply = await call(baseUrl, route, options);
  if (reply.status !== (options.expect ?? 200))
    throw new Error(`${options.method ?? 'GET'} ${route} → ${reply.status} ${JSON.stringify(reply.body)}`);
  return reply.body;
}

function parsed(text: string): unknown {
  if (text === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    // Not JSON: kept as text, for the assertion that shows it.
    return text;
  }
}
