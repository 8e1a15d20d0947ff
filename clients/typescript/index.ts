/**
 * A typed client of the ECIComm API: openapi-fetch over the types generated from its OpenAPI document
 * (schema.ts, `npm run client:generate`). Every path, parameter, body and answer is typed:
 *
 *   const api = createEciCommClient({ baseUrl: 'http://127.0.0.1:3000/v1' });
 *   const { data, error } = await api.POST('/auth/login', { body: { email, password } });
 *   const signedIn = createEciCommClient({ baseUrl, token: data!.idToken });
 *   await signedIn.POST('/orders', { params: { header: { 'Idempotency-Key': crypto.randomUUID() } }, body: { … } });
 *
 * `error` is the contract's error shape ({ error: { code, message, details? } }) for any status the route documents.
 */
import createClient, { type Client } from 'openapi-fetch';
import type { components, operations, paths } from './schema';

export type { components, operations, paths };
export type EciCommClient = Client<paths>;

export interface EciCommClientOptions {
  /** The API with its stage: `http://127.0.0.1:3000/v1` locally, the stack output ApiUrl in AWS. */
  baseUrl: string;
  /** An ID token (POST /auth/login's idToken), or a function giving the current one; sent as a bearer token. */
  token?: string | (() => string | undefined);
  /** A partner's API key (x-api-key), for the partner routes (GET /partner/products). */
  apiKey?: string;
  /** The anonymous shopper's cart (x-session-id), for cart calls made without a token. */
  sessionId?: string;
  /** Another fetch (tests, older runtimes); the global one by default. */
  fetch?: typeof globalThis.fetch;
}

export function createEciCommClient(options: EciCommClientOptions): EciCommClient {
  const client = createClient<paths>({ baseUrl: options.baseUrl.replace(/\/+$/, ''), fetch: options.fetch });
  client.use({
    onRequest({ request }) {
      const token = typeof options.token === 'function' ? options.token() : options.token;
      if (token && !request.headers.has('authorization')) request.headers.set('authorization', `Bearer ${token}`);
      if (options.apiKey && !request.headers.has('x-api-key')) request.headers.set('x-api-key', options.apiKey);
      if (options.sessionId && !request.headers.has('x-session-id'))
        request.headers.set('x-session-id', options.sessionId);
      return request;
    },
  });
  return client;
}
