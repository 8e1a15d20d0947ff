import { Validations } from 'aws-cdk-lib';
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
  type ThrottleSettings,
} from 'aws-cdk-lib/aws-apigateway';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import type { IUserPool, IUserPoolClient } from 'aws-cdk-lib/aws-cognito';
import type { IStateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { CfnWebACL, CfnWebACLAssociation } from 'aws-cdk-lib/aws-wafv2';
import { Construct } from 'constructs';
import type { ErrorCode } from '../../functions/shared/errors';
import type { Route } from '../routes';
import type { TableKey } from '../tables';
import type { IStream } from 'aws-cdk-lib/aws-kinesis';
import type { StreamKey } from '../streams';
import { PlatformFunction, type ModelEndpointTarget, type WarehouseTarget } from './platform-function';

/** API.md: the REST API stage is `v1`, and every route path carries the same prefix. */
export const STAGE_NAME = 'v1';
const STAGE_PREFIX = `/${STAGE_NAME}`;

/** The API Gateway resource path of a route: its path without the stage prefix. */
export const resourcePathOf = (route: Route): string => {
  if (!route.path.startsWith(`${STAGE_PREFIX}/`)) throw new Error(`Route ${route.id} path ${route.path} lacks the ${STAGE_PREFIX} prefix`);
  return route.path.slice(STAGE_PREFIX.length);
};

export interface ApiProps {
  readonly namePrefix: string;
  readonly routes: readonly Route[];
  readonly tables: Readonly<Record<TableKey, ITable>>;
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
  /** The analytics warehouse, for routes that read it. */
  readonly warehouse?: WarehouseTarget;
  /** Steady-state and burst requests per second for the whole stage. */
  readonly throttle?: Required<ThrottleSettings>;
  /** Requests one client IP may send in five minutes before the firewall answers 429. */
  readonly requestsPerIpPer5Minutes?: number;
}

/**
 * The HTTP edge: the REST API stage `v1` with one method and one function per route of lib/routes.ts,
 * the Cognito authorizer on every route that needs a user and the optional-auth one on routes open to
 * anonymous shoppers, gateway-generated errors in the contract's error shape, stage throttling with a
 * usage plan, and a WAF web ACL in front.
 */
export class Api extends Construct {
  readonly restApi: RestApi;
  readonly webAcl: CfnWebACL;
  readonly functions: ReadonlyMap<string, PlatformFunction>;
  readonly methods: ReadonlyMap<string, Method>;

  constructor(scope: Construct, id: string, props: ApiProps) {
    super(scope, id);
    const throttle = props.throttle ?? { rateLimit: 200, burstLimit: 400 };

    const accessLogs = new LogGroup(this, 'AccessLogs', { retention: RetentionDays.ONE_YEAR });
    this.restApi = new RestApi(this, 'RestApi', {
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
        throttlingRateLimit: throttle.rateLimit,
        throttlingBurstLimit: throttle.burstLimit,
      },
    });
    Validations.of(this.restApi).acknowledge({
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs]',
      reason:
        'API Gateway writes execution logs through one account-level role; AWS maintains this managed policy as exactly the log permissions that role needs.',
    });
    Validations.of(this.restApi).acknowledge({
      id: 'AwsSolutions-APIG2',
      reason:
        'Requests are validated in each function with the zod schemas of lib/routes.ts, so the cloud and the local edge answer invalid input with the same 400 VALIDATION_ERROR details (API.md).',
    });

    const functions = new Map<string, PlatformFunction>();
    const methods = new Map<string, Method>();
    for (const route of props.routes) {
      if (functions.has(route.id)) throw new Error(`Duplicate route id ${route.id}`);
      const routeFunction = new PlatformFunction(this, route.id, {
        definition: route,
        description: `${route.method} ${route.path}`,
        tables: props.tables,
        streams: props.streams,
        identity: props.identity,
        saga: props.saga,
        modelEndpoint: props.modelEndpoint,
        warehouse: props.warehouse,
      });
      const integration = new LambdaIntegration(routeFunction.function, { allowTestInvoke: false });
      const method = this.restApi.root
        .resourceForPath(resourcePathOf(route))
        .addMethod(route.method, integration, { operationName: route.id, ...authorizationOf(route, props.identity) });
      if (route.auth.kind === 'none') {
        const reason = `${route.method} ${route.path} is public by contract (API.md): ${route.summary}.`;
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
      methods.set(route.id, method);
    }
    this.functions = functions;
    this.methods = methods;

    this.addContractErrorResponses();

    this.restApi.addUsagePlan('UsagePlan', {
      name: `${props.namePrefix}-default`,
      description: 'Default throttling for API-key clients, the same as the stage default',
      throttle,
      apiStages: [{ api: this.restApi, stage: this.restApi.deploymentStage }],
    });

    this.webAcl = new WebFirewall(this, 'Firewall', {
      namePrefix: props.namePrefix,
      requestsPerIpPer5Minutes: props.requestsPerIpPer5Minutes ?? 2000,
    }).webAcl;
    new CfnWebACLAssociation(this, 'FirewallAssociation', {
      resourceArn: this.restApi.deploymentStage.stageArn,
      webAclArn: this.webAcl.attrArn,
    });
  }

  /**
   * Errors API Gateway answers itself (no function runs) still use API.md's error shape and codes.
   * Gateway response templates only substitute variables, so each code is fixed per response type.
   */
  private addContractErrorResponses() {
    const responses: { type: ResponseType; status: number; code: ErrorCode; message?: string }[] = [
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
      { type: ResponseType.REQUEST_TOO_LARGE, status: 413, code: 'PAYLOAD_TOO_LARGE', message: 'Request body exceeds 1 MiB' },
      { type: ResponseType.UNSUPPORTED_MEDIA_TYPE, status: 415, code: 'UNSUPPORTED_MEDIA_TYPE', message: 'Content-Type must be application/json' },
      { type: ResponseType.THROTTLED, status: 429, code: 'RATE_LIMITED', message: 'Too many requests, slow down' },
      { type: ResponseType.QUOTA_EXCEEDED, status: 429, code: 'RATE_LIMITED', message: 'Request quota exceeded' },
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
    for (const { type, status, code, message } of responses) {
      // $context.error.messageString is API Gateway's own message, already a quoted JSON string.
      const messageJson = message === undefined ? '$context.error.messageString' : JSON.stringify(message);
      this.restApi.addGatewayResponse(type.responseType, {
        type,
        statusCode: String(status),
        responseHeaders: { 'Content-Type': "'application/json'" },
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
  }
}

interface WebFirewallProps {
  readonly namePrefix: string;
  readonly requestsPerIpPer5Minutes: number;
}

/** The regional WAF web ACL in front of the API stage. */
class WebFirewall extends Construct {
  readonly webAcl: CfnWebACL;

  constructor(scope: Construct, id: string, props: WebFirewallProps) {
    super(scope, id);
    const visibility = (metricName: string): CfnWebACL.VisibilityConfigProperty => ({
      cloudWatchMetricsEnabled: true,
      sampledRequestsEnabled: true,
      metricName: `${props.namePrefix}-${metricName}`,
    });
    const managedRuleSet = (
      name: string,
      priority: number,
      ruleActionOverrides?: CfnWebACL.RuleActionOverrideProperty[],
    ): CfnWebACL.RuleProperty => ({
      name,
      priority,
      overrideAction: { none: {} },
      statement: { managedRuleGroupStatement: { vendorName: 'AWS', name, ruleActionOverrides } },
      visibilityConfig: visibility(name),
    });
    const rateLimitedBodyKey = 'rateLimited';

    this.webAcl = new CfnWebACL(this, 'WebAcl', {
      name: `${props.namePrefix}-api`,
      scope: 'REGIONAL',
      defaultAction: { allow: {} },
      visibilityConfig: visibility('api'),
      customResponseBodies: {
        [rateLimitedBodyKey]: {
          contentType: 'APPLICATION_JSON',
          content: JSON.stringify({ error: { code: 'RATE_LIMITED', message: 'Too many requests, slow down' } }),
        },
      },
      rules: [
        {
          name: 'RequestsPerIp',
          priority: 0,
          action: { block: { customResponse: { responseCode: 429, customResponseBodyKey: rateLimitedBodyKey } } },
          statement: {
            rateBasedStatement: { limit: props.requestsPerIpPer5Minutes, aggregateKeyType: 'IP', evaluationWindowSec: 300 },
          },
          visibilityConfig: visibility('RequestsPerIp'),
        },
        // The contract accepts bodies up to 1 MiB (e.g. 500 clickstream events) and answers larger ones
        // with 413 itself; the common rule set would block anything over 8 KB, so that rule only counts.
        managedRuleSet('AWSManagedRulesCommonRuleSet', 1, [{ name: 'SizeRestrictions_BODY', actionToUse: { count: {} } }]),
        managedRuleSet('AWSManagedRulesSQLiRuleSet', 2),
      ],
    });
  }
}
