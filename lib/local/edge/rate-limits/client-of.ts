/**
 * A request's client, classified as the CDK's WAF rules and usage plan do (lib/contexts/api-rate-limits.ts): a
 * partner's API key → a partner, per key; a valid bearer token → a signed-in shopper, per user; else an anonymous
 * shopper, per source IP. A key that is no partner's makes no partner, as a forged token makes no signed-in shopper:
 * otherwise any string in x-api-key would buy a partner's larger bucket (partner routes refuse it before this).
 */
import type { IncomingMessage } from 'node:http';
import type { ClientClass } from '../../../rate-limits';
import { partnerOf, type ApiKeys } from '../api-keys';
import type { TokenVerifier } from '../authorizer';

export interface Client {
  readonly clientClass: ClientClass;
  /** Who is counted: the key, the user's sub, or the IP. */
  readonly id: string;
}

export async function clientOf(req: IncomingMessage, verifyToken: TokenVerifier, apiKeys: ApiKeys): Promise<Client> {
  const partner = partnerOf(req.headers, apiKeys);
  if (partner) return { clientClass: 'partner', id: partner.key };
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
