import { Logger } from '@aws-lambda-powertools/logger';
import type { APIGatewayAuthorizerResult, APIGatewayRequestAuthorizerEvent } from 'aws-lambda';
import { CognitoJwtVerifier } from 'aws-jwt-verify';
import * as z from 'zod/mini';
import { parseEnv } from '../../shared/env';
import { redactSecrets } from '../../shared/redaction';

/** What the handler needs of a verifier: the payload of a valid token, or a rejection. */
export interface IdTokenVerifier {
  verify(token: string): Promise<Record<string, unknown>>;
}

/** Where a rejection's reason goes (Powertools' logger in Lambda). */
export interface RejectionLog {
  info(message: string, attributes: { reason: string }): void;
}

/** The verifier the deployed function uses: ID tokens of this pool, issued to this client. */
export const cognitoVerifier = (env: { USER_POOL_ID: string; USER_POOL_CLIENT_ID: string }) =>
  CognitoJwtVerifier.create({ userPoolId: env.USER_POOL_ID, clientId: env.USER_POOL_CLIENT_ID, tokenUse: 'id' });

/** A token sent and not valid: API Gateway answers 401 (UNAUTHORIZED) when an authorizer throws exactly this. */
const unauthorized = () => new Error('Unauthorized');

const headerOf = (event: APIGatewayRequestAuthorizerEvent, name: string): string | undefined => {
  const entry = Object.entries(event.headers ?? {}).find(([key]) => key.toLowerCase() === name);
  return entry?.[1] ?? undefined;
};

const allow = (
  event: APIGatewayRequestAuthorizerEvent,
  principalId: string,
  context: Record<string, string>,
): APIGatewayAuthorizerResult => ({
  principalId,
  // Results are not cached (the authorizer has no identity source), so the policy covers this method only.
  policyDocument: {
    Version: '2012-10-17',
    Statement: [{ Action: 'execute-api:Invoke', Effect: 'Allow', Resource: event.methodArn }],
  },
  context,
});

/**
 * The authorizer of routes open to anonymous shoppers (API.md: carts). No Authorization header: let the
 * request through with no caller. A header: it must be `Bearer <Cognito ID token>` of this pool and client,
 * and the token's claims reach the function flat in the authorizer context, as functions/shared/auth.ts
 * reads them; anything else is 401, as on routes that need a user.
 */
export const makeHandler =
  (verifier: IdTokenVerifier, logger: RejectionLog) => async (event: APIGatewayRequestAuthorizerEvent) => {
    const header = headerOf(event, 'authorization');
    if (header === undefined) return allow(event, 'anonymous', {});
    const token = /^Bearer\s+(\S+)$/i.exec(header)?.[1];
    if (!token) {
      logger.info('authorization header rejected', { reason: 'not a bearer token' });
      throw unauthorized();
    }
    let claims: Record<string, unknown>;
    try {
      claims = await verifier.verify(token);
    } catch (e) {
      // aws-jwt-verify's reason (expired, bad signature, wrong audience...), never the token itself.
      logger.info('token rejected', { reason: (e as Error).message });
      throw unauthorized();
    }
    const sub = String(claims.sub);
    const groups = claims['cognito:groups'];
    return allow(event, sub, {
      sub,
      email: typeof claims.email === 'string' ? claims.email : '',
      // Context values must be strings, numbers or booleans; Cognito's own authorizer joins lists the same way.
      'cognito:groups': Array.isArray(groups) ? groups.join(',') : '',
    });
  };

const env = parseEnv(z.object({ USER_POOL_ID: z.string(), USER_POOL_CLIENT_ID: z.string() }));
// Only the logger: the authorizer runs before every cart request, and the tracer would add to its cold start.
export const handler = makeHandler(
  cognitoVerifier(env),
  new Logger({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'users', jsonReplacerFn: redactSecrets }),
);
