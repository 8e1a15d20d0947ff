/** The benchmark sections' client for the platform's API: JSON in, JSON (or the text, when not JSON) out. */

/** The local platform's seeded admin (its password as `npm start` prints it, or as the environment sets it). */
export const BENCH_ADMIN = {
  email: 'admin@example.com',
  password: process.env.LOCAL_ADMIN_PASSWORD ?? 'Admin#2026local',
};
/** The shipping address the sections' orders go to. */
export const BENCH_ADDRESS = {
  name: 'Ada Lovelace',
  line1: '12 St James Square',
  city: 'London',
  postalCode: 'SW1Y 4JH',
  country: 'GB',
};

export interface ApiAnswer<T = any> {
  status: number;
  body: T;
  text: string;
}

export interface ApiRequest {
  method?: string;
  body?: unknown;
  token?: string;
  headers?: Record<string, string>;
}

export interface ApiClient {
  <T = any>(path: string, options?: ApiRequest): Promise<ApiAnswer<T>>;
  /** The body of a 2xx answer; any other answer is an error naming the request. */
  ok<T = any>(path: string, options?: ApiRequest): Promise<T>;
}

/**
 * `resendSafeRequests`: a kept-alive connection the server closed while this side was busy (the analytics
 * section's bulk load) fails the next request before it is sent; a read, or a write carrying an idempotency key,
 * is then safe to send once more.
 */
export function apiClient(baseUrl: string, { resendSafeRequests = false } = {}): ApiClient {
  const send = async <T = any>(p: string, options: ApiRequest = {}): Promise<ApiAnswer<T>> => {
    const headers: Record<string, string> = { ...options.headers };
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    const method = options.method ?? 'GET';
    const request = () =>
      fetch(`${baseUrl}${p}`, {
        method,
        headers,
        body: options.body === undefined ? undefined : JSON.stringify(options.body),
      });
    let res: Response;
    try {
      res = await request();
    } catch (e) {
      if (!resendSafeRequests || !(method === 'GET' || headers['idempotency-key'])) throw e;
      res = await request();
    }
    const text = await res.text();
    let body: unknown = text;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      // Not JSON: the text is kept for the error message.
    }
    return { status: res.status, body: body as T, text };
  };
  const ok = async <T = any>(p: string, options: ApiRequest = {}): Promise<T> => {
    const answer = await send<T>(p, options);
    if (answer.status < 200 || answer.status > 299)
      throw new Error(`${options.method ?? 'GET'} ${p} answered ${answer.status}: ${JSON.stringify(answer.body)}`);
    return answer.body;
  };
  return Object.assign(send, { ok });
}
