/** The handlers' environment: what the stacks set on each function, pointed at the local services. */
import { CORS_ORIGINS_ENV } from '../../../functions/shared/cors';
import type { LocalCredentials } from '../guard/sigv4';
import { tableEnvironment } from './databases';
import { REGION } from './services';

export function baseEnvironment(
  credentials: LocalCredentials,
  dynamoEndpoint: string,
  cognitoEndpoint: string,
): Record<string, string> {
  return {
    AWS_REGION: REGION,
    AWS_DEFAULT_REGION: REGION,
    AWS_ACCESS_KEY_ID: credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
    AWS_ENDPOINT_URL_DYNAMODB: dynamoEndpoint,
    AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER: cognitoEndpoint,
    POWERTOOLS_TRACE_ENABLED: 'false',
    POWERTOOLS_LOG_LEVEL: process.env.POWERTOOLS_LOG_LEVEL!,
    POWERTOOLS_DEV: 'true',
    // POWERTOOLS_DEV turns metrics off unless told otherwise: locally the EMF lines go to the platform's log.
    POWERTOOLS_METRICS_DISABLED: 'false',
    ECICOMM_STAGE: 'local',
  };
}

export function handlerEnvironment(
  base: Record<string, string>,
  services: Record<string, string>,
  userPool: { userPoolId: string; clientId: string },
  corsAllowedOrigins: readonly string[],
): Record<string, string> {
  return {
    ...base,
    ...services,
    ...tableEnvironment(),
    USER_POOL_ID: userPool.userPoolId,
    USER_POOL_CLIENT_ID: userPool.clientId,
    // The HTTP functions' CORS (functions/shared/http.ts), the same origins the edge answers preflights for.
    [CORS_ORIGINS_ENV]: corsAllowedOrigins.join(','),
  };
}
