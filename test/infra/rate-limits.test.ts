/**
 * Rate limits by client class in the stage's template (lib/rate-limits.ts → lib/contexts/api-rate-limits.ts): each
 * route's method throttled for the shoppers it serves, the partners' usage plan with its per-key throttle, daily
 * quota and API keys, API Gateway's own 429s and WAF's in the contract's shape with Retry-After, a WAF rule per
 * class, and a stage's overrides from context.
 */
import { App, Stage } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, it } from '@jest/globals';
import { expect } from '../support/expect';
import { resourcePathOf } from '../../lib/contexts/api';
import { DEFAULT_RATE_LIMITS, RATE_LIMITS_CONTEXT, rateLimitsWith } from '../../lib/rate-limits';
import { routes } from '../../lib/routes';
import { EciCommStack } from '../../lib/stacks/platform-stack';

type CfnResource = { Type: string; Properties: Record<string, any> };

const synth = (context: Record<string, unknown> = {}, stageName?: string) => {
  // No bundling, and CloudFormation's schema validation (4 s) runs once, in cdk-nag.test.ts.
  const app = new App({
    context: { 'aws:cdk:bundling-stacks': [], ...context },
    builtinCloudFormationValidation: false,
  });
  const scope = stageName ? new Stage(app, stageName) : app;
  const stack = new EciCommStack(scope, 'RateLimitsTest', { namePrefix: 'ecicomm-test' });
  return Template.fromStack(stack).toJSON().Resources as Record<string, CfnResource>;
};
const ofType = (resources: Record<string, CfnResource>, type: string) =>
  Object.values(resources).filter((r) => r.Type === type);

let resources: Record<string, CfnResource>;
beforeAll(() => {
  resources = synth();
});

const methodSetting = (res: Record<string, CfnResource>, path: string, method: string) =>
  ofType(res, 'AWS::ApiGateway::Stage')[0].Properties.MethodSettings.find(
    // CloudFormation's ResourcePath is / and the path with each of its / escaped as ~1.
    (m: any) => m.ResourcePath === `/${path.replace(/\//g, '~1')}` && m.HttpMethod === method,
  );
const webAclRules = (res: Record<string, CfnResource>) => ofType(res, 'AWS::WAFv2::WebACL')[0].Properties.Rules;
const rule = (res: Record<string, CfnResource>, name: string) => webAclRules(res).find((r: any) => r.Name === name);

const shopperRoutes = routes.filter((r) => r.auth.kind !== 'apiKey');
const partnerRoutes = routes.filter((r) => r.auth.kind === 'apiKey');

describe('API Gateway throttling by client class', () => {
  it.each(shopperRoutes.map((r) => [`${r.method} ${r.path}`, r] as const))(
    "%s is throttled for all shoppers of its class together, under the stage's limit",
    (_name, route) => {
      const shopperClass = route.auth.kind === 'user' || route.auth.kind === 'groups' ? 'signedIn' : 'anonymous';
      const { rateLimit, burstLimit } = DEFAULT_RATE_LIMITS[shopperClass].perMethod;
      expect(methodSetting(resources, resourcePathOf(route), route.method)).toMatchObject({
        ThrottlingRateLimit: rateLimit,
        ThrottlingBurstLimit: burstLimit,
      });
    },
  );

  it("requires an API key on exactly the partner routes, which no shoppers' method throttle shares out", () => {
    expect(partnerRoutes.map((r) => r.id)).toEqual(['listPartnerProducts']);
    const methods = ofType(resources, 'AWS::ApiGateway::Method').filter((m) => m.Properties.HttpMethod !== 'OPTIONS');
    expect(methods).toHaveLength(routes.length);
    const keyed = methods.filter((m) => m.Properties.ApiKeyRequired === true);
    // The usage plan applies to a method only if it requires a key: these are the methods partners are held on.
    expect(keyed.map((m) => m.Properties.OperationName).sort()).toEqual(partnerRoutes.map((r) => r.id).sort());
    for (const m of keyed) expect(m.Properties.AuthorizationType).toBe('NONE');
    for (const route of partnerRoutes)
      expect(methodSetting(resources, resourcePathOf(route), route.method)).toBeUndefined();
  });

  it("has one usage plan, the partners', on the API's stage: each API key throttled on its own and held to a daily quota", () => {
    const [plan] = ofType(resources, 'AWS::ApiGateway::UsagePlan');
    const [stage] = Object.entries(resources).filter(([, r]) => r.Type === 'AWS::ApiGateway::Stage');
    const [api] = Object.entries(resources).filter(([, r]) => r.Type === 'AWS::ApiGateway::RestApi');
    // The plan's per-key throttle holds on every key-requiring method of the stage: no per-method override.
    expect(plan.Properties.ApiStages).toEqual([{ ApiId: { Ref: api[0] }, Stage: { Ref: stage[0] }, Throttle: {} }]);
    const { partner } = DEFAULT_RATE_LIMITS;
    expect(plan.Properties.Throttle).toEqual({ RateLimit: partner.rateLimit, BurstLimit: partner.burstLimit });
    expect(plan.Properties.Quota).toEqual({ Limit: partner.quotaPerDay, Period: 'DAY' });
    // No partner is configured by default, so no key exists that nobody was given.
    expect(ofType(resources, 'AWS::ApiGateway::ApiKey')).toHaveLength(0);
  });
});

describe("API Gateway's and WAF's 429s", () => {
  it.each(['THROTTLED', 'QUOTA_EXCEEDED'])('%s: 429 RATE_LIMITED in the error shape with Retry-After', (type) => {
    const [response] = ofType(resources, 'AWS::ApiGateway::GatewayResponse').filter(
      (r) => r.Properties.ResponseType === type,
    );
    expect(response.Properties.StatusCode).toBe('429');
    expect(JSON.parse(response.Properties.ResponseTemplates['application/json'])).toEqual({
      error: { code: 'RATE_LIMITED', message: expect.any(String) },
    });
    expect(response.Properties.ResponseParameters['gatewayresponse.header.Retry-After']).toMatch(/^'[1-9]\d*'$/);
  });

  it.each([
    ['anonymous', { AggregateKeyType: 'IP' }],
    [
      'signedIn',
      { AggregateKeyType: 'CUSTOM_KEYS', CustomKeys: [{ Header: expect.objectContaining({ Name: 'authorization' }) }] },
    ],
    [
      'partner',
      { AggregateKeyType: 'CUSTOM_KEYS', CustomKeys: [{ Header: expect.objectContaining({ Name: 'x-api-key' }) }] },
    ],
  ] as const)('WAF counts %s clients apart at their own limit and answers 429 with Retry-After', (name, key) => {
    const classRule = rule(resources, `RequestsPerClient-${name}`);
    expect(classRule.Statement.RateBasedStatement).toMatchObject({
      ...key,
      Limit: DEFAULT_RATE_LIMITS[name].requestsPer5Minutes,
      EvaluationWindowSec: 300,
    });
    expect(classRule.Action.Block.CustomResponse).toMatchObject({
      ResponseCode: 429,
      ResponseHeaders: expect.arrayContaining([{ Name: 'Retry-After', Value: '300' }]),
    });
    const body = ofType(resources, 'AWS::WAFv2::WebACL')[0].Properties.CustomResponseBodies[
      classRule.Action.Block.CustomResponse.CustomResponseBodyKey
    ];
    expect(JSON.parse(body.Content)).toEqual({ error: { code: 'RATE_LIMITED', message: expect.any(String) } });
  });

  it('counts as anonymous only requests with neither a token nor an API key', () => {
    const scope = rule(resources, 'RequestsPerClient-anonymous').Statement.RateBasedStatement.ScopeDownStatement;
    const headers = scope.NotStatement.Statement.OrStatement.Statements.map(
      (s: any) => s.SizeConstraintStatement.FieldToMatch.SingleHeader.Name,
    );
    expect(headers.sort()).toEqual(['authorization', 'x-api-key']);
  });

  it('keeps the per-IP backstop ahead of the class rules, and every priority distinct', () => {
    const rules = webAclRules(resources);
    const priority = (name: string) => rules.find((r: any) => r.Name === name).Priority;
    for (const name of ['anonymous', 'signedIn', 'partner'])
      expect(priority(`RequestsPerClient-${name}`)).toBeGreaterThan(priority('RequestsPerIp'));
    expect(new Set(rules.map((r: any) => r.Priority)).size).toBe(rules.length);
  });
});

describe("a stage's overrides from context", () => {
  let prod: Record<string, CfnResource>;
  beforeAll(() => {
    prod = synth(
      {
        [RATE_LIMITS_CONTEXT]: JSON.stringify({
          Prod: { signedIn: { perMethod: { rateLimit: 20 } }, partner: { quotaPerDay: 500 } },
        }),
        'ecicomm:partnerClients': { Prod: ['acme'], Dev: ['other'] },
      },
      'Prod',
    );
  });

  it("apply to that stage's method throttling, usage plan and API keys only", () => {
    const orders = routes.find((r) => r.auth.kind === 'user')!;
    expect(methodSetting(prod, resourcePathOf(orders), orders.method)).toMatchObject({
      ThrottlingRateLimit: 20,
      ThrottlingBurstLimit: DEFAULT_RATE_LIMITS.signedIn.perMethod.burstLimit,
    });
    expect(ofType(prod, 'AWS::ApiGateway::UsagePlan')[0].Properties.Quota.Limit).toBe(500);
    const keys = ofType(prod, 'AWS::ApiGateway::ApiKey');
    expect(keys.map((k) => k.Properties.Name)).toEqual(['ecicomm-test-acme']);
    const [planKey] = ofType(prod, 'AWS::ApiGateway::UsagePlanKey');
    expect(ofType(prod, 'AWS::ApiGateway::UsagePlanKey')).toHaveLength(1);
    expect(planKey.Properties.KeyType).toBe('API_KEY');
  });

  it('are refused, naming the key, when they do not make sense', () => {
    expect(() => rateLimitsWith({ anonymous: { rateLimit: 0 } })).toThrow(/anonymous\.rateLimit/);
    expect(() => rateLimitsWith({ anonymous: { perMethod: { rateLimit: 1000 } } })).toThrow(/anonymous\.perMethod/);
    expect(() => rateLimitsWith({ signedIn: { requestsPer5Minutes: 5000 } })).toThrow(/requestsPerIpPer5Minutes/);
    expect(() => rateLimitsWith({ guests: {} })).toThrow(RATE_LIMITS_CONTEXT);
    expect(() => synth({ [RATE_LIMITS_CONTEXT]: '{Prod:' }, 'Prod')).toThrow(RATE_LIMITS_CONTEXT);
    expect(() => synth({ 'ecicomm:partnerClients': { Prod: ['Not A Name'] } }, 'Prod')).toThrow(/Not A Name/);
  });
});
