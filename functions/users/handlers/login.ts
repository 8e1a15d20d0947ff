import { header, httpHandler, json, parse, type ApiEvent } from '../../shared/http';
import { login } from '../domain/users';
import { identityProvider } from '../deps';
import type { SignInContext, UsersDeps } from '../ports';
import { CONTEXT_DATA_HEADER, ContextDataHeader, Login } from '../schemas';

/** Headers that carry credentials of their own: Cognito's risk checks need the browser's, not these. */
const WITHHELD_HEADERS = new Set([
  'authorization',
  'proxy-authorization',
  'cookie',
  'x-api-key',
  'x-amz-security-token',
  CONTEXT_DATA_HEADER.toLowerCase(),
]);

/**
 * The caller as API Gateway saw it, for Cognito threat protection: without it every sign-in comes from the
 * function's own address. None when the event has no source IP (Cognito requires one).
 */
function signInContextOf(event: ApiEvent): SignInContext | undefined {
  const encodedData = header(event, CONTEXT_DATA_HEADER.toLowerCase(), ContextDataHeader);
  const ipAddress = event.requestContext?.identity?.sourceIp;
  if (!ipAddress) return undefined;
  const headers = event.headers ?? {};
  return {
    ipAddress,
    serverName: event.requestContext.domainName ?? headers.host ?? 'unknown',
    serverPath: event.requestContext.path,
    httpHeaders: Object.entries(headers)
      .filter(
        (entry): entry is [string, string] =>
          typeof entry[1] === 'string' && !WITHHELD_HEADERS.has(entry[0].toLowerCase()),
      )
      .map(([name, value]) => ({ name, value })),
    ...(encodedData ? { encodedData } : {}),
  };
}

export const makeHandler = (deps: Pick<UsersDeps, 'identity'>) =>
  httpHandler(
    async (event) => {
      const input = parse(Login, event.body);
      return json(200, await login(input, deps, signInContextOf(event)), { 'cache-control': 'no-store' });
    },
    { body: true },
  );

export const handler = makeHandler({ identity: identityProvider() });
