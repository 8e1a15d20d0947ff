/** A request as API Gateway hands it to a function: a REST proxy event, payload format 1.0. */
import type { IncomingMessage } from 'node:http';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import type { CompiledRoute } from './routing';

export interface EventParts {
  match: CompiledRoute;
  url: URL;
  pathParameters: Record<string, string>;
  authorizer: { claims: Record<string, string> } | undefined;
  /** The partner's valid API key on a partner route; API Gateway passes it and the key's id in the identity. */
  apiKey?: { key: string; partner: string };
  body: Buffer;
  requestId: string;
}

export function proxyEvent(
  req: IncomingMessage,
  { match, url, pathParameters, authorizer, apiKey, body, requestId }: EventParts,
): APIGatewayProxyEvent {
  const { route } = match;
  const { headers, multiValueHeaders } = headersOf(req);
  const { query, multiQuery } = queryOf(url);
  const resource = route.path.replace(/^\/v1/, '');
  const stagePath = url.pathname.replace(/^\/v1/, '');
  const event: APIGatewayProxyEvent = {
    resource,
    path: stagePath,
    httpMethod: req.method!,
    headers,
    multiValueHeaders,
    queryStringParameters: Object.keys(query).length ? query : null,
    multiValueQueryStringParameters: Object.keys(multiQuery).length ? multiQuery : null,
    pathParameters: match.params.length ? pathParameters : null,
    stageVariables: null,
    body: body.length ? body.toString('utf8') : null,
    isBase64Encoded: false,
    requestContext: {
      accountId: '000000000000',
      apiId: 'local',
      authorizer: authorizer ?? null,
      protocol: `HTTP/${req.httpVersion}`,
      httpMethod: req.method!,
      identity: {
        sourceIp: req.socket.remoteAddress ?? '127.0.0.1',
        userAgent: req.headers['user-agent'] ?? null,
        apiKey: apiKey?.key ?? null,
        // In AWS the key's generated id; locally the partner's name stands in for it.
        apiKeyId: apiKey?.partner ?? null,
      } as never,
      path: url.pathname,
      stage: 'v1',
      requestId,
      requestTimeEpoch: Date.now(),
      resourceId: route.id,
      resourcePath: resource,
    },
  };
  // The function sees the request id the client sent, or the one the edge made up.
  if (!('x-request-id' in Object.fromEntries(Object.keys(headers).map((h) => [h.toLowerCase(), 1])))) {
    event.headers['x-request-id'] = requestId;
  }
  return event;
}

function headersOf(req: IncomingMessage) {
  const headers: Record<string, string> = {};
  const multiValueHeaders: Record<string, string[]> = {};
  for (let i = 0; i < req.rawHeaders.length; i += 2) {
    const name = req.rawHeaders[i];
    const value = req.rawHeaders[i + 1];
    headers[name] = value;
    (multiValueHeaders[name] ??= []).push(value);
  }
  return { headers, multiValueHeaders };
}

function queryOf(url: URL) {
  const query: Record<string, string> = {};
  const multiQuery: Record<string, string[]> = {};
  for (const [k, v] of url.searchParams) {
    query[k] = v;
    (multiQuery[k] ??= []).push(v);
  }
  return { query, multiQuery };
}
