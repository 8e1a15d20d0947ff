/** The Cognito authorizer: a bearer ID token verified, its claims handed to the function as API Gateway does. */
import type { Route } from '../../routes';
import { EdgeRefusal } from './errors';

/** Verifies a bearer ID token and returns its claims, or undefined when it is missing or invalid. */
export type TokenVerifier = (token: string) => Promise<Record<string, unknown> | undefined>;

/** API Gateway passes claims to the function as strings; lists become "a,b", other non-strings their JSON. */
export const claimsForAuthorizer = (claims: Record<string, unknown>): Record<string, string> =>
  Object.fromEntries(
    Object.entries(claims).map(([k, v]) => [
      k,
      Array.isArray(v) ? v.join(',') : typeof v === 'string' ? v : JSON.stringify(v),
    ]),
  );

/** The event's authorizer context, undefined for an anonymous request; throws a 401 EdgeRefusal. */
export async function authorize(
  route: Route,
  header: string | undefined,
  verifyToken: TokenVerifier,
): Promise<{ claims: Record<string, string> } | undefined> {
  // Optional-auth routes (carts) serve anonymous shoppers, but a token that is sent must be valid. Partner routes
  // have no authorizer in API Gateway (their API key is checked instead: ./api-keys.ts).
  if (route.auth.kind === 'none' || route.auth.kind === 'apiKey') return undefined;
  if (route.auth.kind === 'optional' && header === undefined) return undefined;
  const token = /^Bearer\s+(\S+)$/i.exec(header ?? '')?.[1];
  const claims = token ? await verifyToken(token) : undefined;
  if (!claims)
    throw new EdgeRefusal(
      401,
      'UNAUTHORIZED',
      token ? 'The token is invalid or expired' : 'A bearer token is required',
    );
  return { claims: claimsForAuthorizer(claims) };
}
