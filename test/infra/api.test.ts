import { App, CfnElement, Names, Stack } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';
import { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, it } from '@jest/globals';
import { expect } from '../support/expect';
import { LIVE_ALIAS, ROUTE_RATE_LIMITS, resourcePathOf } from '../../lib/contexts/api';
import { allResources, logicalIdOf } from '../support/cdk-templates';
import { routes } from '../../lib/routes';
import { EciCommStack } from '../../lib/stacks/platform-stack';

type CfnResource = { Type: string; Properties: Record<string, any> };

let stack: EciCommStack;
let resources: Record<string, CfnResource>;

/** Logical id of an L1 resource, or of the resource behind an L2 construct. */
const logicalId = (construct: IConstruct) =>
  stack.getLogicalId((construct instanceof CfnElement ? construct : construct.node.defaultChild) as CfnElement);
const ofType = (type: string) => Object.entries(resources).filter(([, r]) => r.Type === type);
const mentions = (value: unknown, id: string) => JSON.stringify(value).includes(`"${id}"`);
/**
 * How the parent stack names a construct: its logical id when it is in the parent, else the nested stack's output
 * (`Outputs.<unique id of the construct>Ref`) when it is in a nested stack.
 */
const aliasNameIn = (parent: Stack, construct: IConstruct) =>
  Stack.of(construct) === parent ? `"${logicalIdOf(construct)}"` : Names.uniqueId(construct.node.defaultChild!);

/** Full path of every API Gateway resource, rebuilt from the template's parent links. */
function resourcePaths(): Map<string, string> {
  const parts = new Map(ofType('AWS::ApiGateway::Resource').map(([id, r]) => [id, r.Properties]));
  const pathOf = (id: string): string => {
    const { ParentId, PathPart } = parts.get(id)!;
    return ParentId.Ref ? `${pathOf(ParentId.Ref)}/${PathPart}` : `/${PathPart}`;
  };
  return new Map([...parts.keys()].map((id) => [id, pathOf(id)]));
}

beforeAll(() => {
  // No bundling, and CloudFormation's schema validation (4 s) runs once, in cdk-nag.test.ts.
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] }, builtinCloudFormationValidation: false });
  stack = new EciCommStack(app, 'ApiTest', { namePrefix: 'ecicomm-test' });
  resources = Template.fromStack(stack).toJSON().Resources;
});

describe('REST API built from the route table', () => {
  it('serves the stage v1', () => {
    const stages = ofType('AWS::ApiGateway::Stage');
    expect(stages).toHaveLength(1);
    expect(stages[0][1].Properties.StageName).toBe('v1');
  });

  it("has exactly one method per route, at the route path without /v1, integrated with that route's function", () => {
    const paths = resourcePaths();
    // Besides them, each resource's CORS preflight (test/infra/cors.test.ts).
    const methods = ofType('AWS::ApiGateway::Method').filter(([, m]) => m.Properties.HttpMethod !== 'OPTIONS');
    expect(methods).toHaveLength(routes.length);
    for (const route of routes) {
      const matching = methods.filter(
        ([, m]) =>
          m.Properties.HttpMethod === route.method && paths.get(m.Properties.ResourceId.Ref) === resourcePathOf(route),
      );
      expect(matching, `${route.method} ${route.path}`).toHaveLength(1);
      const integration = matching[0][1].Properties.Integration;
      expect(integration.Type).toBe('AWS_PROXY');
      expect(JSON.stringify(integration.Uri), route.id).toContain(
        aliasNameIn(stack, stack.api.liveAliases.get(route.id)!),
      );
    }
  });

  it("invokes each route's function through its live alias, on the function's current version", () => {
    const everywhere = allResources<CfnResource & { UpdatePolicy?: unknown }>(stack);
    for (const route of routes) {
      const alias = stack.api.liveAliases.get(route.id)!;
      const { Properties } = everywhere[logicalIdOf(alias)];
      expect(Properties.Name).toBe(LIVE_ALIAS);
      expect(Properties.FunctionName).toEqual({ Ref: logicalIdOf(stack.api.functions.get(route.id)!.function) });
      expect(Properties.FunctionVersion['Fn::GetAtt'][1]).toBe('Version');
    }
  });

  it('puts the Cognito authorizer on every route that needs a user, the optional-auth one on routes open to anonymous shoppers, an API key on partner routes, and none on public ones', () => {
    const cognitoId = logicalId(stack.identity.authorizer);
    const cognito = resources[cognitoId];
    expect(cognito.Properties.Type).toBe('COGNITO_USER_POOLS');
    expect(mentions(cognito.Properties.ProviderARNs, logicalId(stack.identity.userPool))).toBe(true);
    const optionalId = logicalId(stack.identity.optionalAuthorizer);
    expect(resources[optionalId].Properties.Type).toBe('REQUEST');
    const byKind = new Map<string, string[]>();
    for (const route of routes) {
      byKind.set(route.auth.kind, [...(byKind.get(route.auth.kind) ?? []), route.id]);
      const method = resources[logicalId(stack.api.methods.get(route.id)!)].Properties;
      switch (route.auth.kind) {
        case 'none':
          expect(method.AuthorizationType, route.id).toBe('NONE');
          expect(method.AuthorizerId, route.id).toBeUndefined();
          expect(method.ApiKeyRequired ?? false, route.id).toBe(false);
          break;
        case 'apiKey':
          expect(method.AuthorizationType, route.id).toBe('NONE');
          expect(method.AuthorizerId, route.id).toBeUndefined();
          expect(method.ApiKeyRequired, route.id).toBe(true);
          break;
        case 'optional':
          expect(method.AuthorizationType, route.id).toBe('CUSTOM');
          expect(method.AuthorizerId, route.id).toEqual({ Ref: optionalId });
          break;
        case 'user':
        case 'groups':
          expect(method.AuthorizationType, route.id).toBe('COGNITO_USER_POOLS');
          expect(method.AuthorizerId, route.id).toEqual({ Ref: cognitoId });
          break;
      }
    }
    // The route table's own split, so that the cases above are not vacuous.
    expect(byKind.get('optional')).toEqual([
      'getCart',
      'addCartItem',
      'setCartItem',
      'removeCartItem',
      'applyPromoCode',
      'getRecommendations',
      'putEvents',
    ]);
    expect(byKind.get('user')).toEqual(
      expect.arrayContaining(['getMyProfile', 'updateMyProfile', 'mergeCarts', 'placeOrder', 'getOrder', 'listOrders']),
    );
    expect(byKind.get('apiKey')).toEqual(['listPartnerProducts']);
  });

  it('lets anonymous shoppers reach the optional-auth authorizer: no identity source, no caching', () => {
    const authorizer = resources[logicalId(stack.identity.optionalAuthorizer)].Properties;
    // With an identity source, API Gateway would answer 401 itself when the Authorization header is absent.
    expect(authorizer).not.toHaveProperty('IdentitySource');
    expect(authorizer.AuthorizerResultTtlInSeconds).toBe(0);
    expect(mentions(authorizer.AuthorizerUri, logicalId(stack.identity.optionalAuthorizerFunction.function))).toBe(
      true,
    );
  });

  it('lets only this API invoke the optional-auth authorizer function', () => {
    const fnId = logicalId(stack.identity.optionalAuthorizerFunction.function);
    const permissions = ofType('AWS::Lambda::Permission').filter(([, p]) => mentions(p.Properties.FunctionName, fnId));
    expect(permissions).toHaveLength(1);
    const { Principal, SourceArn } = permissions[0][1].Properties;
    expect(Principal).toBe('apigateway.amazonaws.com');
    expect(mentions(SourceArn, logicalId(stack.api.restApi))).toBe(true);
    expect(mentions(SourceArn, logicalId(stack.identity.optionalAuthorizer))).toBe(true);
  });

  it('writes access logs, execution errors and traces for the stage, and never request bodies', () => {
    const stage = ofType('AWS::ApiGateway::Stage')[0][1].Properties;
    expect(stage.AccessLogSetting.DestinationArn).toBeDefined();
    expect(stage.TracingEnabled).toBe(true);
    expect(stage.MethodSettings).toEqual(
      expect.arrayContaining([expect.objectContaining({ LoggingLevel: 'ERROR', DataTraceEnabled: false })]),
    );
  });

  it('throttles the stage and has a usage plan with throttling on it (test/infra/rate-limits.test.ts has the rest)', () => {
    const stage = ofType('AWS::ApiGateway::Stage')[0];
    const plans = ofType('AWS::ApiGateway::UsagePlan');
    expect(plans).toHaveLength(1);
    const plan = plans[0][1].Properties;
    expect(plan.Throttle.RateLimit).toBeGreaterThan(0);
    expect(plan.Throttle.BurstLimit).toBeGreaterThan(0);
    expect(plan.ApiStages[0].Stage).toEqual({ Ref: stage[0] });
    const stageWide = stage[1].Properties.MethodSettings.find((m: any) => m.ResourcePath === '/*');
    expect(stageWide).toMatchObject({ HttpMethod: '*', ThrottlingRateLimit: 200, ThrottlingBurstLimit: 400 });
  });
});

describe('gateway responses', () => {
  const expected: Record<string, [status: string, code: string]> = {
    DEFAULT_4XX: ['400', 'VALIDATION_ERROR'],
    DEFAULT_5XX: ['500', 'INTERNAL'],
    UNAUTHORIZED: ['401', 'UNAUTHORIZED'],
    ACCESS_DENIED: ['403', 'FORBIDDEN'],
    MISSING_AUTHENTICATION_TOKEN: ['404', 'NOT_FOUND'],
    REQUEST_TOO_LARGE: ['413', 'PAYLOAD_TOO_LARGE'],
    THROTTLED: ['429', 'RATE_LIMITED'],
  };

  it.each(Object.entries(expected))('answers %s with the contract error shape', (type, [status, code]) => {
    const responses = ofType('AWS::ApiGateway::GatewayResponse').filter(([, r]) => r.Properties.ResponseType === type);
    expect(responses).toHaveLength(1);
    const { StatusCode, ResponseTemplates } = responses[0][1].Properties;
    expect(StatusCode).toBe(status);
    // API Gateway substitutes $context.error.messageString with an already quoted JSON string.
    const body = JSON.parse(
      ResponseTemplates['application/json'].replace('$context.error.messageString', '"gateway message"'),
    );
    expect(body).toEqual({ error: { code, message: expect.any(String) } });
  });

  it('tells a throttled client when to retry (API.md: 429 RATE_LIMITED with Retry-After)', () => {
    const [[, throttled]] = ofType('AWS::ApiGateway::GatewayResponse').filter(
      ([, r]) => r.Properties.ResponseType === 'THROTTLED',
    );
    expect(throttled.Properties.ResponseParameters).toMatchObject({ 'gatewayresponse.header.Retry-After': "'1'" });
  });

  it('keeps every gateway response valid JSON in the error shape', () => {
    for (const [, response] of ofType('AWS::ApiGateway::GatewayResponse')) {
      const template = response.Properties.ResponseTemplates['application/json'];
      const body = JSON.parse(template.replace('$context.error.messageString', '"gateway message"'));
      expect(Object.keys(body.error).sort(), response.Properties.ResponseType).toEqual(['code', 'message']);
    }
  });
});

describe('WAF', () => {
  it('associates the web ACL with the v1 stage', () => {
    const associations = ofType('AWS::WAFv2::WebACLAssociation');
    expect(associations).toHaveLength(1);
    const { ResourceArn, WebACLArn } = associations[0][1].Properties;
    expect(mentions(ResourceArn, ofType('AWS::ApiGateway::Stage')[0][0])).toBe(true);
    expect(WebACLArn).toEqual({ 'Fn::GetAtt': [logicalId(stack.api.webAcl), 'Arn'] });
  });

  it('runs the common and SQL injection rule sets and a per-IP rate limit', () => {
    const acl = resources[logicalId(stack.api.webAcl)].Properties;
    expect(acl.Scope).toBe('REGIONAL');
    const managed = acl.Rules.map((r: any) => r.Statement.ManagedRuleGroupStatement?.Name).filter(Boolean);
    expect(managed).toEqual(expect.arrayContaining(['AWSManagedRulesCommonRuleSet', 'AWSManagedRulesSQLiRuleSet']));
    const rateRule = acl.Rules.find((r: any) => r.Name === 'RequestsPerIp');
    expect(rateRule.Statement.RateBasedStatement).toEqual({
      Limit: 2000,
      AggregateKeyType: 'IP',
      EvaluationWindowSec: 300,
    });
    expect(rateRule.Action.Block.CustomResponse).toMatchObject({
      ResponseCode: 429,
      ResponseHeaders: expect.arrayContaining([{ Name: 'Retry-After', Value: '300' }]),
    });
    expect(new Set(acl.Rules.map((r: any) => r.Priority)).size).toBe(acl.Rules.length);
  });

  describe('per-IP limits on login, registration and the clickstream', () => {
    const acl = () => resources[logicalId(stack.api.webAcl)].Properties;
    const ruleOf = (routeId: string) => acl().Rules.find((r: any) => r.Name === `RequestsPerIp-${routeId}`);
    const scoped = [
      { routeId: 'login', method: 'POST', path: '/v1/auth/login' },
      { routeId: 'registerUser', method: 'POST', path: '/v1/users' },
      { routeId: 'putEvents', method: 'POST', path: '/v1/events' },
    ];

    it.each(scoped)(
      "$method $path has its own limit, under the stage-wide 2,000 per 5 minutes and at least WAF's 10",
      ({ routeId, method, path }) => {
        expect(routes.find((r) => r.id === routeId)).toMatchObject({ method, path });
        const rate = ruleOf(routeId).Statement.RateBasedStatement;
        expect(rate.AggregateKeyType).toBe('IP');
        expect([60, 120, 300, 600]).toContain(rate.EvaluationWindowSec);
        expect(rate.Limit).toBeGreaterThanOrEqual(10);
        expect(rate.Limit * (300 / rate.EvaluationWindowSec)).toBeLessThan(2000);
      },
    );

    it.each(scoped)(
      '$method $path counts only that method on that path, however the path is spelt',
      ({ routeId, method, path }) => {
        const [methodMatch, pathMatch] =
          ruleOf(routeId).Statement.RateBasedStatement.ScopeDownStatement.AndStatement.Statements;
        expect(methodMatch.ByteMatchStatement).toMatchObject({
          FieldToMatch: { Method: {} },
          PositionalConstraint: 'EXACTLY',
          SearchString: method,
        });
        expect(pathMatch.RegexMatchStatement.FieldToMatch).toEqual({ UriPath: {} });
        expect(pathMatch.RegexMatchStatement.TextTransformations.map((t: any) => t.Type)).toEqual([
          'URL_DECODE',
          'NORMALIZE_PATH',
        ]);
        // WAF sees the stage in the path on the execute-api endpoint; a custom domain without a base path would not have it.
        const pattern = new RegExp(pathMatch.RegexMatchStatement.RegexString);
        for (const seen of [path, `${path}/`, path.replace(/^\/v1/, '')]) expect(seen, seen).toMatch(pattern);
        for (const other of [`${path}x`, `${path}/me`, `/v2${path.slice(3)}`, `/v1/products`])
          expect(other, other).not.toMatch(pattern);
      },
    );

    it.each(scoped)(
      '$method $path answers an IP over its limit with 429 RATE_LIMITED and Retry-After for the window',
      ({ routeId }) => {
        const rule = ruleOf(routeId);
        const response = rule.Action.Block.CustomResponse;
        expect(response.ResponseCode).toBe(429);
        expect(response.ResponseHeaders).toEqual(
          expect.arrayContaining([
            { Name: 'Retry-After', Value: String(rule.Statement.RateBasedStatement.EvaluationWindowSec) },
          ]),
        );
        const body = acl().CustomResponseBodies[response.CustomResponseBodyKey];
        expect(body.ContentType).toBe('APPLICATION_JSON');
        expect(JSON.parse(body.Content)).toEqual({ error: { code: 'RATE_LIMITED', message: expect.any(String) } });
      },
    );

    it('are the limits lib/contexts/api.ts declares, evaluated before the stage-wide one', () => {
      const names = [...acl().Rules].sort((a: any, b: any) => a.Priority - b.Priority).map((r: any) => r.Name);
      expect(names.slice(0, ROUTE_RATE_LIMITS.length + 1)).toEqual([
        ...ROUTE_RATE_LIMITS.map((l) => `RequestsPerIp-${l.routeId}`),
        'RequestsPerIp',
      ]);
    });
  });
});
