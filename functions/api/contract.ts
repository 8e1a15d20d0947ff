/**
 * What a route of the public API is to its callers: method, path, who may call it, and the zod schemas of
 * what it takes and gives. The OpenAPI document is made from this alone; how each route is deployed (its
 * handler, its grants) is the CDK side's (lib/routes.ts).
 */
import type * as z from 'zod/mini';
import type { Group } from '../shared/auth';

export type BoundedContext =
  | 'platform'
  | 'users'
  | 'catalog'
  | 'inventory'
  | 'cart'
  | 'orders'
  | 'payments'
  | 'search'
  | 'recommendations'
  | 'analytics'
  | 'events'
  | 'notifications'
  | 'audit';
/**
 * none: public; user: a valid Cognito ID token; groups: a token whose `cognito:groups` has one of them;
 * optional: anonymous or signed in (carts) — a token, when sent, must be valid; apiKey: a partner client, identified
 * by its usage plan's API key in the `x-api-key` header (held to the plan's throttle and quota per key).
 */
export type Auth =
  { kind: 'none' } | { kind: 'user' } | { kind: 'groups'; groups: Group[] } | { kind: 'optional' } | { kind: 'apiKey' };
export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface RouteContract {
  /** Stable name: the operation's id in OpenAPI, the function's logical id in CDK and its name in logs. */
  id: string;
  method: HttpMethod;
  path: `/v1/${string}`;
  context: BoundedContext;
  auth: Auth;
  summary: string;
  request?: { params?: z.ZodMiniType; query?: z.ZodMiniType; body?: z.ZodMiniType };
  response: { status: number; schema?: z.ZodMiniType };
  /** Request headers the route reads, documented in OpenAPI. */
  headers?: { name: string; required: boolean; description: string }[];
}
