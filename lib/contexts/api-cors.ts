/**
 * CORS in API Gateway (API.md: CORS), with the policy of functions/shared/cors.ts:
 * - a preflight on every resource that has routes: a mock OPTIONS method (no function, no authorizer) that
 *   allows exactly the resource's methods and the headers the routes read, and echoes the request's Origin
 *   only when it is allowed. CDK's `defaultCorsPreflightOptions` is not used: for several origins it answers
 *   every other origin with the first allowed one, and it cannot allow any port of a host (`localhost:*`);
 * - the functions add the headers to their own answers (functions/shared/http.ts), reading the same origins
 *   from CORS_ALLOWED_ORIGINS, which every route's function gets;
 * - gateway responses (errors API Gateway answers itself) allow any origin (`*`): their templates cannot
 *   choose by Origin, and they carry nothing of anyone's — only the contract's error code and message —
 *   while without the header a browser app could not read a 401, 404, 429 or 5xx at all.
 */
import { AuthorizationType, MockIntegration, type IResource, type Method } from 'aws-cdk-lib/aws-apigateway';
import {
  CORS_ALLOWED_HEADERS,
  CORS_EXPOSED_HEADERS,
  CORS_MAX_AGE_SECONDS,
  PORT_DIGITS,
  type OriginPattern,
} from '../../functions/shared/cors';

const quoted = (value: string) => `'${value}'`;

/** The headers every gateway response carries, as API Gateway response parameters (static values quoted). */
export const GATEWAY_RESPONSE_CORS_HEADERS: Readonly<Record<string, string>> = {
  'Access-Control-Allow-Origin': quoted('*'),
  'Access-Control-Expose-Headers': quoted(CORS_EXPOSED_HEADERS.join(',')),
};

/** The same headers for the firewall's own blocks (a WAF custom response), which API Gateway never sees. */
export const FIREWALL_CORS_HEADERS: readonly { name: string; value: string }[] = [
  { name: 'Access-Control-Allow-Origin', value: '*' },
  { name: 'Access-Control-Expose-Headers', value: CORS_EXPOSED_HEADERS.join(',') },
];

/** The VTL condition that holds when `$origin` is allowed by one pattern: the same test as isOriginAllowed. */
function originCondition(pattern: OriginPattern): string {
  if (pattern.kind === 'exact') return `$origin == "${pattern.origin}"`;
  const prefix = `${pattern.base}:`;
  // PORT_DIGITS, as a Java regex: String.matches tests the whole string.
  const digits = PORT_DIGITS.source.replace(/^\^/, '').replace(/\$$/, '');
  return `$origin == "${pattern.base}" || ($origin.startsWith("${prefix}") && $origin.substring(${prefix.length}).matches("${digits}"))`;
}

/**
 * The preflight's integration response template: it sets Access-Control-Allow-Origin to the request's Origin
 * when that is allowed, and leaves it out otherwise. Header names reach templates as the client sent them
 * (`origin` over HTTP/2).
 */
export function preflightTemplate(patterns: readonly OriginPattern[]): string {
  const lines = [
    '#set($origin = $input.params().header.get("Origin"))',
    '#if(!$origin || $origin == "")',
    '  #set($origin = $input.params().header.get("origin"))',
    '#end',
  ];
  if (patterns.length === 0) return [...lines, '## No other origin may call this API.'].join('\n');
  return [
    ...lines,
    `#if(${patterns.map((p) => `(${originCondition(p)})`).join(' || ')})`,
    '  #set($context.responseOverride.header.Access-Control-Allow-Origin = $origin)',
    '#end',
  ].join('\n');
}

/** Adds the preflight (a mock OPTIONS method) to a resource whose routes have `methods`. */
export function addPreflight(
  resource: IResource,
  methods: readonly string[],
  patterns: readonly OriginPattern[],
): Method {
  const headers: Record<string, string> = {
    'Access-Control-Allow-Methods': quoted([...methods, 'OPTIONS'].join(',')),
    'Access-Control-Allow-Headers': quoted(CORS_ALLOWED_HEADERS.join(',')),
    'Access-Control-Max-Age': quoted(String(CORS_MAX_AGE_SECONDS)),
    Vary: quoted('Origin'),
  };
  const parameter = (name: string) => `method.response.header.${name}`;
  const integration = new MockIntegration({
    requestTemplates: { 'application/json': '{"statusCode": 200}' },
    integrationResponses: [
      {
        statusCode: '204',
        responseParameters: Object.fromEntries(
          Object.entries(headers).map(([name, value]) => [parameter(name), value]),
        ),
        responseTemplates: { 'application/json': preflightTemplate(patterns) },
      },
    ],
  });
  return resource.addMethod('OPTIONS', integration, {
    // Browsers send preflights without credentials: no authorizer may stand in front of one.
    authorizationType: AuthorizationType.NONE,
    methodResponses: [
      {
        statusCode: '204',
        // Declared so the template may set it; it is only sent for an allowed origin.
        responseParameters: Object.fromEntries(
          [...Object.keys(headers), 'Access-Control-Allow-Origin'].map((name) => [parameter(name), true]),
        ),
      },
    ],
  });
}
