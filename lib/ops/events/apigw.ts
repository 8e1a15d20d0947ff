/**
 * An API Gateway REST proxy event for one of our routes, as API Gateway builds it after the Cognito authorizer:
 * the route's resource path (without the stage's /v1) and path parameters, the query string, headers and body,
 * and the authorizer's claims when the caller is signed in.
 */
import { randomUUID } from 'node:crypto';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { routes, type Route } from '../../routes';

export interface ApigwOptions {
  method: string;
  /** The request's path, with or without the /v1 stage, e.g. `/v1/products/prd_1`. */
  path: string;
  body?: string;
  query?: Record<string, string>;
  headers?: Record<string, string>;
  /** The ID token's claims the authorizer passes on (sub, email, cognito:groups…); none: an anonymous call. */
  claims?: Record<string, string>;
}

const withoutStage = (p: string) => p.replace(/^\/v1(?=\/|$)/, '') || '/';

/** The route that serves the request and its path parameters, or an error naming the request. */
export function routeFor(
  method: string,
  requestPath: string,
): { route: Route; pathParameters: Record<string, string> } {
  const wanted = withoutStage(requestPath.split('?')[0]);
  for (const route of routes) {
    if (route.method !== method.toUpperCase()) continue;
    const names: string[] = [];
    const pattern = withoutStage(route.path).replace(/\{(\w+)\+?\}/g, (_, name: string) => {
      names.push(name);
      return '([^/]+)';
    });
    const match = new RegExp(`^${pattern}$`).exec(wanted);
    if (match)
      return { route, pathParameters: Object.fromEntries(names.map((n, i) => [n, decodeURIComponent(match[i + 1])])) };
  }
  throw new Error(
    `No route serves ${method.toUpperCase()} ${requestPath} (the routes: GET /v1/openapi.json lists them)`,
  );
}

const multi = (values: Record<string, string>) => Object.fromEntries(Object.entries(values).map(([k, v]) => [k, [v]]));

export function apigwEvent(options: ApigwOptions): APIGatewayProxyEvent {
  const { route, pathParameters } = routeFor(options.method, options.path);
  const resource = withoutStage(route.path);
  const requestPath = withoutStage(options.path.split('?')[0]);
  const requestId = randomUUID();
  const headers: Record<string, string> = {
    Accept: 'application/json',
    'User-Agent': 'generate-event',
    'X-Request-Id': requestId,
    ...(options.body !== undefined ? { 'Content-Type': 'application/json' } : {}),
    ...options.headers,
  };
  const query = options.query && Object.keys(options.query).length ? options.query : null;
  return {
    resource,
    path: requestPath,
    httpMethod: route.method,
    headers,
    multiValueHeaders: multi(headers),
    queryStringParameters: query,
    multiValueQueryStringParameters: query && multi(query),
    pathParameters: Object.keys(pathParameters).length ? pathParameters : null,
    stageVariables: null,
    requestContext: {
      accountId: '123456789012',
      apiId: 'local',
      stage: 'v1',
      httpMethod: route.method,
      path: `/v1${requestPath === '/' ? '' : requestPath}`,
      resourcePath: resource,
      resourceId: 'local',
      protocol: 'HTTP/1.1',
      requestId,
      requestTimeEpoch: Date.now(),
      authorizer: options.claims ? { claims: options.claims } : null,
      identity: identity(),
    },
    body: options.body ?? null,
    isBase64Encoded: false,
  };
}

function identity(): APIGatewayProxyEvent['requestContext']['identity'] {
  const none = null;
  return {
    sourceIp: '127.0.0.1',
    userAgent: 'generate-event',
    accessKey: none,
    accountId: none,
    apiKey: none,
    apiKeyId: none,
    caller: none,
    clientCert: none,
    cognitoAuthenticationProvider: none,
    cognitoAuthenticationType: none,
    cognitoIdentityId: none,
    cognitoIdentityPoolId: none,
    principalOrgId: none,
    user: none,
    userArn: none,
  };
}
