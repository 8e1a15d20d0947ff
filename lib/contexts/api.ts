import { NestedStack, Validations } from 'aws-cdk-lib';
import {
  AccessLogFormat,
  AuthorizationType,
  EndpointType,
  LambdaIntegration,
  LogGroupLogDestination,
  MethodLoggingLevel,
  ResponseType,
  RestApi,
  type IAuthorizer,
  type Method,
  type MethodOptions,
} from 'aws-cdk-lib/aws-apigateway';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { Alias } from 'aws-cdk-lib/aws-lambda';
import type { IUserPool, IUserPoolClient } from 'aws-cdk-lib/aws-cognito';
import type { IStateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { CfnWebACL, CfnWebACLAssociation } from 'aws-cdk-lib/aws-wafv2';
import { Construct } from 'constructs';
import {
  CORS_ORIGINS_ENV,
  formatOriginPattern,
  parseAllowedOrigins,
  type OriginPattern,
} from '../../functions/shared/cors';
import type { ErrorCode } from '../../functions/shared/errors';
import type { Route } from '../routes';
import type { TableKey } from '../tables';
import type { IStream } from 'aws-cdk-lib/aws-kinesis';
import type { StreamKey } from '../streams';
import { addPreflight, FIREWALL_CORS_HEADERS, GATEWAY_RESPONSE_CORS_HEADERS } from './api-cors';
import {
  PlatformFunction,
  type ModelEndpointTarget,
  type SearchTarget,
  type WarehouseTarget,
} from './platform-function';
import type { FunctionBuckets } from './function-buckets';
import { DEFAULT_RATE_LIMITS, type ClientLimit, type RateLimits } from '../rate-limits';
import { classRateRules, partnerUsagePlan, throttlingByMethod } from './api-rate-limits';

/** API.md: the REST API stage is `v1`, and every route path carries the same prefix. */
export const STAGE_NAME = 'v1';
/** The alias of a route's function that API Gateway invokes; CodeDeploy shifts it from version to version. */
export const LIVE_ALIAS = 'live';
const STAGE_PREFIX = `/${STAGE_NAME}`;

/** WAF's evaluation windows for rate-based rules, in seconds. */
export type RateWindowSeconds = 60 | 120 | 300 | 600;

/** A per-IP limit on one route, tighter than the stage-wide one. */
export interface RouteRateLimit {
  readonly routeId: string;
  /** Requests one IP may send to the route in the window; WAF accepts 10 at least. */
  readonly limit: number;
  readonly windowSeconds: RateWindowSeconds;
}

/**
 * The routes that attract abuse get their own per-IP limit, well under the 2,000 requests per 5 minutes every IP
 * may send in all (WAF counts each rule on its own; its smallest limit is 10 per window, windows are 1, 2, 5 or
 * 10 minutes). An IP over a limit gets 429 RATE_LIMITED with Retry-After for the rest of the window.
 * - login, 20 per 5 minutes: a shopper signs in a few times a day, a mistyped password costs one or two more,
 *   and a household or office behind one address rarely makes 20 sign-ins in 5 minutes; a guesser from one
 *   address gets 240 tries an hour instead of 24,000. Guessing spread over many addresses is Cognito threat
 *   protection's to stop, now that login tells it the caller's IP (functions/users/handlers/login.ts).
 * - registration, 10 per 5 minutes (WAF's least): an account is made once per person; every fake one is a
 *   Cognito user billed at the Plus tier's monthly rate.
 * - clickstream, 300 per 5 minutes (one request a second): a storefront sends up to 500 events a request and
 *   flushes every few seconds per open page, so several shoppers behind one address stay under it; a flood
 *   above it would only buy Kinesis writes and warehouse loads.
 */
export const ROUTE_RATE_LIMITS: readonly RouteRateLimit[] = [
  { routeId: 'login', limit: 20, windowSeconds: 300 },
  { routeId: 'registerUser', limit: 10, windowSeconds: 300 },
  { routeId: 'putEvents', limit: 300, windowSeconds: 300 },
];

/** The API Gateway resource path of a route: its path without the stage prefix. */
export const resourcePathOf = (route: Route): string => {
  if (!route.path.startsWith(`${STAGE_PREFIX}/`))
    throw new Error(`Route ${route.id} path ${route.path} lacks the ${STAGE_PREFIX} prefix`);
  return route.path.slice(STAGE_PREFIX.length);
};

export interface ApiProps {
  readonly namePrefix: string;
  readonly routes: readonly Route[];
  readonly tables: Readonly<Record<TableKey, ITable>>;
  /** The buckets routes name (the order archive, read through the archive index's items). */
  readonly buckets?: FunctionBuckets;
  readonly identity: {
    readonly userPool: IUserPool;
    readonly userPoolClient: IUserPoolClient;
    /** Cognito's: for routes that need a signed-in user. */
    readonly authorizer: IAuthorizer;
    /** For `optional` routes: anonymous, or a valid ID token when one is sent. */
    readonly optionalAuthorizer: IAuthorizer;
  };
  /** The Kinesis streams, for routes that name them. */
  readonly streams?: Readonly<Partial<Record<StreamKey, IStream>>>;
  /** The checkout saga, for routes that start it. */
  readonly saga?: IStateMachine;
  /** The recommendations model endpoint, for routes that invoke it. */
  readonly modelEndpoint?: ModelEndpointTarget;
  /** The demand-insights model endpoint, for routes that invoke it. */
  readonly insightsEndpoint?: ModelEndpointTarget;
  /** The analytics warehouse, for routes that read it. */
  readonly warehouse?: WarehouseTarget;
  /** The product search engine, for routes that query it. */
  readonly search?: SearchTarget;
  /** The limits of each client class and of the stage (lib/rate-limits.ts); DEFAULT_RATE_LIMITS by default. */
  readonly rateLimits?: RateLimits;
  /** Partner API clients: each gets an API key in the partners' usage plan. None by default. */
  readonly partnerClients?: readonly string[];
  /** Tighter per-IP limits on single routes; ROUTE_RATE_LIMITS by default. */
  readonly routeRateLimits?: readonly RouteRateLimit[];
  /**
   * Browser origins allowed to call the API (CORS): `scheme://host[:port]` or `scheme://host:*`. None by default:
   * only pages of the API's own origin may then read its answers.
   */
  readonly corsAllowedOrigins?: readonly string[];
}

/**
 * The HTTP edge: the REST API stage `v1` with one method and one function per route of lib/routes.ts,
 * the Cognito authorizer on every route that needs a user and the optional-auth one on routes open to
 * anonymous shoppers, a CORS preflight on every resource (lib/contexts/api-cors.ts), gateway-generated
 * errors in the contract's error shape, stage throttling with a usage plan, and a WAF web ACL in front.
 */
export class Api extends Construct {
  readonly restApi: RestApi;
  readonly webAcl: CfnWebACL;
  readonly functions: ReadonlyMap<string, PlatformFunction>;
  readonly methods: ReadonlyMap<string, Method>;
  /** The alias of each route's function that API Gateway invokes, by route id: canary deployments move it. */
  readonly liveAliases: ReadonlyMap<string, Alias>;
  /** The CORS preflight (OPTIONS) of each resource that has routes, by resource path (`/products/{id}`). */
  readonly preflights: ReadonlyMap<string, Method>;
  /** The browser origins allowed to call the API, parsed (functions/shared/cors.ts). */
  readonly corsAllowedOrigins: readonly OriginPattern[];

  constructor(scope: Construct, id: string, props: ApiProps) {
    super(scope, id);
    // A malformed origin fails the synthesis, naming it.
    this.corsAllowedOrigins = parseAllowedOrigins(props.corsAllowedOrigins ?? []);
    const rateLimits = props.rateLimits ?? DEFAULT_RATE_LIMITS;
    this.restApi = this.buildRestApi(props, rateLimits);
    const { functions, methods, liveAliases } = this.addRouteMethods(props);
    this.functions = functions;
    this.liveAliases = liveAliases;
    this.methods = methods;
    this.preflights = this.addPreflights(props.routes);

    this.addContractErrorResponses();

    partnerUsagePlan(this.restApi, props.namePrefix, rateLimits.partner, props.partnerClients ?? []);
    this.webAcl = this.addFirewall(props, rateLimits);
  }

  /** The stage `v1` with access logs, tracing, and throttling for the stage and for each client class's methods. */
  private buildRestApi(props: ApiProps, rateLimits: RateLimits): RestApi {
    const accessLogs = new LogGroup(this, 'AccessLogs', { retention: RetentionDays.ONE_YEAR });
    const restApi = new RestApi(this, 'RestApi', {
      restApiName: `${props.namePrefix}-api`,
      description: 'ECIComm public API, contract v1 (API.md)',
      endpointTypes: [EndpointType.REGIONAL],
      // Execution logging needs the account-level CloudWatch role.
      cloudWatchRole: true,
      deployOptions: {
        stageName: STAGE_NAME,
        accessLogDestination: new LogGroupLogDestination(accessLogs),
        accessLogFormat: AccessLogFormat.jsonWithStandardFields(),
        loggingLevel: MethodLoggingLevel.ERROR,
        // Bodies carry passwords and tokens: they never go to the execution log.
        dataTraceEnabled: false,
        metricsEnabled: true,
        tracingEnabled: true,
        throttlingRateLimit: rateLimits.stage.rateLimit,
        throttlingBurstLimit: rateLimits.stage.burstLimit,
        methodOptions: throttlingByMethod(props.routes, rateLimits),
      },
    });
    Validations.of(restApi).acknowledge({
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs]',
      reason:
        'API Gateway writes execution logs through one account-level role; AWS maintains this managed policy as exactly the log permissions that role needs.',
    });
    Validations.of(restApi).acknowledge({
      id: 'AwsSolutions-APIG2',
      reason:
        'Requests are validated in each function with the zod schemas of lib/routes.ts, so the cloud and the local edge answer invalid input with the same 400 VALIDATION_ERROR details (API.md).',
    });
    return restApi;
  }

  /**
   * One function and one method per route, with the route's authorizer. The functions (with their roles, log groups
   * and invoke permissions) are a nested stack of their own: CloudFormation takes at most 500 resources a stack.
   */
  private addRouteMethods(props: ApiProps) {
    const functions = new Map<string, PlatformFunction>();
    const methods = new Map<string, Method>();
    const liveAliases = new Map<string, Alias>();
    const functionsStack = new NestedStack(this, 'RouteFunctions', {
      description: 'ECIComm API route functions: one per route of the contract, with its role and log group',
    });
    for (const route of props.routes) {
      if (functions.has(route.id)) throw new Error(`Duplicate route id ${route.id}`);
      // The search domain's access policy names the roles of the functions that use it, and they need its
      // endpoint: across stacks that would be a cycle, so those few stay in this stack.
      const routeFunction = new PlatformFunction(route.search ? this : functionsStack, route.id, {
        definition: route,
        description: `${route.method} ${route.path}`,
        tables: props.tables,
        buckets: props.buckets,
        streams: props.streams,
        identity: props.identity,
        saga: props.saga,
        modelEndpoint: props.modelEndpoint,
        insightsEndpoint: props.insightsEndpoint,
        warehouse: props.warehouse,
        search: props.search,
      });
      // The function answers browsers with the same origins the preflights allow (functions/shared/http.ts).
      routeFunction.function.addEnvironment(
        CORS_ORIGINS_ENV,
        this.corsAllowedOrigins.map(formatOriginPattern).join(','),
      );
      // API Gateway invokes the live alias, which CodeDeploy moves to each new version as a canary
      // (lib/contexts/operations/canaries.ts).
      const fn = routeFunction.function;
      const alias = new Alias(routeFunction, 'Live', { aliasName: LIVE_ALIAS, version: fn.currentVersion });
      const integration = new LambdaIntegration(alias, { allowTestInvoke: false });
      const method = this.restApi.root
        .resourceForPath(resourcePathOf(route))
        .addMethod(route.method, integration, { operationName: route.id, ...authorizationOf(route, props.identity) });
      if (route.auth.kind === 'none') {
        const reason = `${route.method} ${route.path} is public by contract (API.md): ${route.summary}.`;
        Validations.of(method).acknowledge({ id: 'AwsSolutions-APIG4', reason });
        Validations.of(method).acknowledge({ id: 'AwsSolutions-COG4', reason });
      }
      if (route.auth.kind === 'apiKey') {
        // A partner is a program, not a person: it has no Cognito user to sign in as. API Gateway itself refuses a
        // request without one of the usage plan's keys (403) and holds each key to the plan's throttle and quota.
        const reason = `${route.method} ${route.path} serves partner API clients, identified by their usage plan's API key (x-api-key, apiKeyRequired): API Gateway refuses a request without a valid key and throttles each key to the partners' plan (lib/contexts/api-rate-limits.ts); partners have no Cognito users.`;
        Validations.of(method).acknowledge({ id: 'AwsSolutions-APIG4', reason });
        Validations.of(method).acknowledge({ id: 'AwsSolutions-COG4', reason });
      }
      if (route.auth.kind === 'optional') {
        Validations.of(method).acknowledge({
          id: 'AwsSolutions-COG4',
          reason: `${route.method} ${route.path} also serves anonymous shoppers, which Cognito's authorizer cannot let through; its Lambda authorizer verifies the same Cognito ID tokens when one is sent.`,
        });
      }
      functions.set(route.id, routeFunction);
      liveAliases.set(route.id, alias);
      methods.set(route.id, method);
    }
    return { functions, methods, liveAliases };
  }

  /** A preflight on every resource that has routes, allowing exactly the methods of its routes. */
  private addPreflights(routes: readonly Route[]) {
    const methodsByPath = new Map<string, string[]>();
    for (const route of routes)
      methodsByPath.set(resourcePathOf(route), [...(methodsByPath.get(resourcePathOf(route)) ?? []), route.method]);
    const preflights = new Map<string, Method>();
    for (const [path, methods] of methodsByPath) {
      const preflight = addPreflight(this.restApi.root.resourceForPath(path), methods, this.corsAllowedOrigins);
      const reason = `OPTIONS ${path} is a CORS preflight: browsers send it without credentials, and API Gateway answers it itself (a mock integration) with what may be asked, never with data.`;
      Validations.of(preflight).acknowledge({ id: 'AwsSolutions-APIG4', reason });
      Validations.of(preflight).acknowledge({ id: 'AwsSolutions-COG4', reason });
      preflights.set(path, preflight);
    }
    return preflights;
  }

  /** The WAF web ACL in front of the stage. */
  private addFirewall(props: ApiProps, rateLimits: RateLimits): CfnWebACL {
    const webAcl = new WebFirewall(this, 'Firewall', {
      namePrefix: props.namePrefix,
      requestsPerIpPer5Minutes: rateLimits.requestsPerIpPer5Minutes,
      classLimits: rateLimits,
      routeLimits: (props.routeRateLimits ?? ROUTE_RATE_LIMITS).map((limit) => {
        const route = props.routes.find((r) => r.id === limit.routeId);
        if (!route) throw new Error(`A rate limit names route ${limit.routeId}, which the route table does not have`);
        return { ...limit, route };
      }),
    }).webAcl;
    new CfnWebACLAssociation(this, 'FirewallAssociation', {
      resourceArn: this.restApi.deploymentStage.stageArn,
      webAclArn: webAcl.attrArn,
    });
    return webAcl;
  }

  /**
   * Errors API Gateway answers itself (no function runs) still use API.md's error shape and codes.
   * Gateway response templates only substitute variables, so each code is fixed per response type.
   */
  private addContractErrorResponses() {
    const responses: {
      type: ResponseType;
      status: number;
      code: ErrorCode;
      message?: string;
      headers?: Record<string, string>;
    }[] = [
      // Every 4xx type is listed below; this catches types API Gateway may add later.
      { type: ResponseType.DEFAULT_4XX, status: 400, code: 'VALIDATION_ERROR' },
      { type: ResponseType.BAD_REQUEST_BODY, status: 400, code: 'VALIDATION_ERROR' },
      { type: ResponseType.BAD_REQUEST_PARAMETERS, status: 400, code: 'VALIDATION_ERROR' },
      { type: ResponseType.UNAUTHORIZED, status: 401, code: 'UNAUTHORIZED', message: 'Authentication required' },
      { type: ResponseType.ACCESS_DENIED, status: 403, code: 'FORBIDDEN', message: 'You are not allowed to do this' },
      { type: ResponseType.EXPIRED_TOKEN, status: 403, code: 'FORBIDDEN' },
      { type: ResponseType.INVALID_SIGNATURE, status: 403, code: 'FORBIDDEN' },
      { type: ResponseType.INVALID_API_KEY, status: 403, code: 'FORBIDDEN' },
      { type: ResponseType.WAF_FILTERED, status: 403, code: 'FORBIDDEN', message: 'Request blocked by the firewall' },
      // API Gateway answers an unknown path or method as a missing token; to clients it is a missing route.
      { type: ResponseType.MISSING_AUTHENTICATION_TOKEN, status: 404, code: 'NOT_FOUND', message: 'Route not found' },
      { type: ResponseType.RESOURCE_NOT_FOUND, status: 404, code: 'NOT_FOUND', message: 'Route not found' },
      {
        type: ResponseType.REQUEST_TOO_LARGE,
        status: 413,
        code: 'PAYLOAD_TOO_LARGE',
        message: 'Request body exceeds 1 MiB',
      },
      {
        type: ResponseType.UNSUPPORTED_MEDIA_TYPE,
        status: 415,
        code: 'UNSUPPORTED_MEDIA_TYPE',
        message: 'Content-Type must be application/json',
      },
      // The stage's token bucket refills every second.
      {
        type: ResponseType.THROTTLED,
        status: 429,
        code: 'RATE_LIMITED',
        message: 'Too many requests, slow down',
        headers: { 'Retry-After': "'1'" },
      },
      // A partner's quota is daily (lib/rate-limits.ts); a template cannot compute the time to midnight UTC.
      {
        type: ResponseType.QUOTA_EXCEEDED,
        status: 429,
        code: 'RATE_LIMITED',
        message: 'Request quota exceeded',
        headers: { 'Retry-After': "'3600'" },
      },
      { type: ResponseType.DEFAULT_5XX, status: 500, code: 'INTERNAL', message: 'Internal error' },
      {
        type: ResponseType.INTEGRATION_TIMEOUT,
        status: 503,
        code: 'DEPENDENCY_UNAVAILABLE',
        message: 'The service did not answer in time, try again shortly',
      },
      {
        type: ResponseType.INTEGRATION_FAILURE,
        status: 503,
        code: 'DEPENDENCY_UNAVAILABLE',
        message: 'The service is unavailable, try again shortly',
      },
    ];
    for (const { type, status, code, message, headers } of responses) {
      // $context.error.messageString is API Gateway's own message, already a quoted JSON string.
      const messageJson = message === undefined ? '$context.error.messageString' : JSON.stringify(message);
      this.restApi.addGatewayResponse(type.responseType, {
        type,
        statusCode: String(status),
        // Browser apps read these errors too (lib/contexts/api-cors.ts says why any origin may).
        responseHeaders: { 'Content-Type': "'application/json'", ...GATEWAY_RESPONSE_CORS_HEADERS, ...headers },
        templates: { 'application/json': `{"error":{"code":"${code}","message":${messageJson}}}` },
      });
    }
  }
}

function authorizationOf(route: Route, identity: ApiProps['identity']): MethodOptions {
  switch (route.auth.kind) {
    case 'none':
      return { authorizationType: AuthorizationType.NONE };
    case 'optional':
      return { authorizationType: AuthorizationType.CUSTOM, authorizer: identity.optionalAuthorizer };
    case 'user':
    case 'groups':
      return { authorizationType: AuthorizationType.COGNITO, authorizer: identity.authorizer };
    // The usage plan's throttle and quota apply only to methods that require a key.
    case 'apiKey':
      return { authorizationType: AuthorizationType.NONE, apiKeyRequired: true };
  }
}

interface WebFirewallProps {
  readonly namePrefix: string;
  readonly requestsPerIpPer5Minutes: number;
  readonly classLimits: Readonly<Record<'anonymous' | 'signedIn' | 'partner', ClientLimit>>;
  readonly routeLimits: readonly (RouteRateLimit & { route: Route })[];
}

const escapeRegex = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * The request path WAF sees for a route: WAF inspects the URI the client sent, which on the stage's
 * execute-api endpoint carries the stage (`/v1/auth/login`); behind a custom domain mapped without a base path
 * it would not (`/auth/login`), so the stage prefix is optional. Percent-encoding and doubled or dotted
 * segments are undone first (URL_DECODE, NORMALIZE_PATH) and a trailing slash is allowed, so that the limit does
 * not depend on which other spellings of the path API Gateway would route to the same method.
 */
export const routePathPattern = (route: Route): string =>
  `^(${escapeRegex(STAGE_PREFIX)})?${escapeRegex(resourcePathOf(route))}/?$`;

const routeScope = (route: Route): CfnWebACL.StatementProperty => ({
  andStatement: {
    statements: [
      {
        byteMatchStatement: {
          fieldToMatch: { method: {} },
          positionalConstraint: 'EXACTLY',
          searchString: route.method,
          textTransformations: [{ priority: 0, type: 'NONE' }],
        },
      },
      {
        regexMatchStatement: {
          fieldToMatch: { uriPath: {} },
          regexString: routePathPattern(route),
          textTransformations: [
            { priority: 0, type: 'URL_DECODE' },
            { priority: 1, type: 'NORMALIZE_PATH' },
          ],
        },
      },
    ],
  },
});

/** The regional WAF web ACL in front of the API stage. */
class WebFirewall extends Construct {
  readonly webAcl: CfnWebACL;

  constructor(scope: Construct, id: string, props: WebFirewallProps) {
    super(scope, id);
    const visibility = (metricName: string) => visibilityConfig(props.namePrefix, metricName);
    const routeRules = routeRateRules(props);
    const classRules = classRateRules(props.classLimits, routeRules.length + 1, visibility, rateLimited(300));
    const next = routeRules.length + 1 + classRules.length;
    this.webAcl = new CfnWebACL(this, 'WebAcl', {
      name: `${props.namePrefix}-api`,
      scope: 'REGIONAL',
      defaultAction: { allow: {} },
      visibilityConfig: visibility('api'),
      customResponseBodies: {
        [RATE_LIMITED_BODY_KEY]: {
          contentType: 'APPLICATION_JSON',
          content: JSON.stringify({ error: { code: 'RATE_LIMITED', message: 'Too many requests, slow down' } }),
        },
      },
      rules: [
        ...routeRules,
        {
          name: 'RequestsPerIp',
          priority: routeRules.length,
          action: rateLimited(300),
          statement: {
            rateBasedStatement: {
              limit: props.requestsPerIpPer5Minutes,
              aggregateKeyType: 'IP',
              evaluationWindowSec: 300,
            },
          },
          visibilityConfig: visibility('RequestsPerIp'),
        },
        ...classRules,
        // The contract accepts bodies up to 1 MiB (e.g. 500 clickstream events) and answers larger ones
        // with 413 itself; the common rule set would block anything over 8 KB, so that rule only counts.
        managedRuleSet(props.namePrefix, 'AWSManagedRulesCommonRuleSet', next, [
          { name: 'SizeRestrictions_BODY', actionToUse: { count: {} } },
        ]),
        managedRuleSet(props.namePrefix, 'AWSManagedRulesSQLiRuleSet', next + 1),
      ],
    });
  }
}

const RATE_LIMITED_BODY_KEY = 'rateLimited';

const visibilityConfig = (namePrefix: string, metricName: string): CfnWebACL.VisibilityConfigProperty => ({
  cloudWatchMetricsEnabled: true,
  sampledRequestsEnabled: true,
  metricName: `${namePrefix}-${metricName}`,
});

const managedRuleSet = (
  namePrefix: string,
  name: string,
  priority: number,
  ruleActionOverrides?: CfnWebACL.RuleActionOverrideProperty[],
): CfnWebACL.RuleProperty => ({
  name,
  priority,
  overrideAction: { none: {} },
  statement: { managedRuleGroupStatement: { vendorName: 'AWS', name, ruleActionOverrides } },
  visibilityConfig: visibilityConfig(namePrefix, name),
});

// WAF keeps blocking until the IP's count over the window falls under the limit: at most a window away.
const rateLimited = (windowSeconds: number): CfnWebACL.RuleActionProperty => ({
  block: {
    customResponse: {
      responseCode: 429,
      customResponseBodyKey: RATE_LIMITED_BODY_KEY,
      responseHeaders: [{ name: 'Retry-After', value: String(windowSeconds) }, ...FIREWALL_CORS_HEADERS],
    },
  },
});

/** A rate-based rule per route with a limit of its own, ahead of the stage-wide one. */
function routeRateRules(props: WebFirewallProps): CfnWebACL.RuleProperty[] {
  return props.routeLimits.map(({ route, limit, windowSeconds }, i): CfnWebACL.RuleProperty => {
    if (limit < 10 || limit >= props.requestsPerIpPer5Minutes) {
      throw new Error(
        `The rate limit of route ${route.id} must be at least 10 (WAF's least) and under the stage-wide ${props.requestsPerIpPer5Minutes}`,
      );
    }
    const name = `RequestsPerIp-${route.id}`;
    return {
      name,
      priority: i,
      action: rateLimited(windowSeconds),
      statement: {
        rateBasedStatement: {
          limit,
          aggregateKeyType: 'IP',
          evaluationWindowSec: windowSeconds,
          scopeDownStatement: routeScope(route),
        },
      },
      visibilityConfig: visibilityConfig(props.namePrefix, name),
    };
  });
}
