import type { ApiEvent } from './http';
import { forbidden, unauthorized } from './errors';

export type Group = 'admin' | 'analyst';

export interface Caller {
  userId: string;
  email: string;
  groups: string[];
}

/**
 * API Gateway's Cognito authorizer hands the token's claims to the function as strings; a list claim
 * such as `cognito:groups` arrives as "a,b" (or "[a b]"), so both spellings are read.
 */
export function parseGroups(raw: unknown): string[] {
  if (Array.isArray(raw)) return raw.map(String);
  if (typeof raw !== 'string' || raw.length === 0) return [];
  return raw
    .replace(/^\[|\]$/g, '')
    .split(/[\s,]+/)
    .filter(Boolean);
}

/**
 * The Cognito authorizer passes the token's claims under `authorizer.claims`; the optional-auth Lambda
 * authorizer (routes open to anonymous shoppers) passes the same claims flat in its context.
 */
export function callerOf(event: ApiEvent): Caller | undefined {
  const authorizer = event.requestContext?.authorizer;
  const claims = (authorizer?.claims ?? authorizer) as Record<string, unknown> | undefined;
  const sub = claims?.sub;
  if (typeof sub !== 'string' || !sub) return undefined;
  return {
    userId: sub,
    email: typeof claims?.email === 'string' ? claims.email : '',
    groups: parseGroups(claims?.['cognito:groups']),
  };
}

export function requireUser(event: ApiEvent): Caller {
  const caller = callerOf(event);
  if (!caller) throw unauthorized();
  return caller;
}

/** Authorisation by group happens in the function: the Cognito authorizer only authenticates. */
export function requireGroup(event: ApiEvent, ...groups: Group[]): Caller {
  const caller = requireUser(event);
  if (!groups.some((g) => caller.groups.includes(g))) throw forbidden(`Requires the ${groups.join(' or ')} group`);
  return caller;
}
