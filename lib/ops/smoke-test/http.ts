import { randomUUID } from 'node:crypto';
import type { z } from 'zod';

/** A check that did not pass: its message is what the operator reads in the pipeline's log. */
export class SmokeFailure extends Error {}

export interface ApiAnswer {
  readonly status: number;
  readonly body: unknown;
  /** The request id the smoke test sent, to find the request in the stage's logs. */
  readonly requestId: string;
}

export interface RequestOptions {
  readonly body?: unknown;
  readonly token?: string;
  readonly headers?: Record<string, string>;
}

export interface ApiClient {
  /** The v1 base URL the paths are relative to, without a trailing slash. */
  readonly baseUrl: string;
  request(method: string, path: string, options?: RequestOptions): Promise<ApiAnswer>;
}

/**
 * The v1 base of an API URL: the stage's ApiUrl output already ends with the stage `v1`
 * (`https://abc.execute-api.eu-west-1.amazonaws.com/v1/`); the local edge's root gets it added.
 */
export function v1BaseUrl(apiUrl: URL): string {
  const trimmed = apiUrl.href.replace(/\/+$/, '');
  return trimmed.endsWith('/v1') ? trimmed : `${trimmed}/v1`;
}

/** A JSON client of the API: every request carries its own `x-request-id` and gives up after `timeoutMs`. */
export function apiClient(apiUrl: URL, timeoutMs: number): ApiClient {
  const baseUrl = v1BaseUrl(apiUrl);
  return {
    baseUrl,
    async request(method, path, options = {}) {
      const requestId = `smoke-${randomUUID()}`;
      const headers: Record<string, string> = { 'x-request-id': requestId, ...options.headers };
      if (options.token) headers.authorization = `Bearer ${options.token}`;
      if (options.body !== undefined) headers['content-type'] = 'application/json';
      const url = `${baseUrl}${path}`;
      let response: Response;
      try {
        response = await fetch(url, {
          method,
          headers,
          body: options.body === undefined ? undefined : JSON.stringify(options.body),
          signal: AbortSignal.timeout(timeoutMs),
        });
      } catch (e) {
        throw new SmokeFailure(`${method} ${url}: no answer (${reasonOf(e)})`);
      }
      const text = await response.text();
      let body: unknown = text;
      try {
        body = text ? JSON.parse(text) : undefined;
      } catch {
        // Not JSON: the text itself is what a failure message shows.
      }
      return { status: response.status, body, requestId };
    },
  };
}

/** Why fetch gave up, in the words an operator can act on (ECONNREFUSED, ENOTFOUND, a timeout). */
function reasonOf(e: unknown): string {
  const error = e as Error & { cause?: { code?: string; message?: string } };
  if (error.name === 'TimeoutError') return 'timed out';
  return error.cause?.code ?? error.cause?.message ?? error.message;
}

/** The answer's body as `schema` says it must be, or a failure naming the status, the request and the body. */
export function expectAnswer<T>(answer: ApiAnswer, status: number, schema: z.ZodType<T>, what: string): T {
  if (answer.status !== status)
    throw new SmokeFailure(`${what}: expected ${status}, got ${answer.status} ${describe(answer)}`);
  const parsed = schema.safeParse(answer.body);
  if (!parsed.success) {
    const [issue] = parsed.error.issues;
    throw new SmokeFailure(
      `${what}: the answer is not what the contract says (${issue.path.join('.') || 'body'}: ${issue.message}) ${describe(answer)}`,
    );
  }
  return parsed.data;
}

const describe = (answer: ApiAnswer) => {
  const body = typeof answer.body === 'string' ? answer.body : JSON.stringify(answer.body);
  return `[x-request-id ${answer.requestId}] ${(body ?? '').slice(0, 300)}`;
};
