/**
 * A request's client, classified as the CDK's WAF rules and usage plan do (lib/contexts/api-rate-limits.ts): an
 * API key header → a partner, per key; a valid bearer token → a signed-in shopper, per user; else an anonymous
 * shopper, per source IP.
 */
import type { IncomingMessage } from 'node:http';
import { API_KEY_HEADER, type ClientClass } from '../../../rate-limits';
import type { TokenVerifier } from '../authorizer';

export interface Client {
  readonly clientClass: ClientClass;
  /** Who is counted: the key, the user's sub, or the IP. */
  readonly id: string;
}

export async function clientOf(req: IncomingMessage, verifyToken: TokenVerifier): Promise<Client> {
  const apiKey = req.headers[API_KEY_HEADER];
  if (typeof apiKey === 'string' && apiKey.length > 0) return { clientClass: 'partner', id: apiKey };
  const userId = await bearerSubject(req.headers.authorization, verifyToken);
  if (userId) return { clientClass: 'signedIn', id: userId };
  return { clientClass: 'anonymous', id: req.socket.remoteAddress ?? 'unknown' };
}

async function bearerSubject(header: string | undefined, verifyToken: TokenVerifier): Promise<string | undefined> {
  const token = /^Bearer\s+(\S+)$/i.exec(header ?? '')?.[1];
  if (!token) return undefined;
  const sub = (await verifyToken(token))?.sub;
  return typeof sub === 'string' ? sub : undefined;
}
