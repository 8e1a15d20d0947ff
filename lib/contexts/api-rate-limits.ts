/**
 * The API's rate limits by client class (lib/rate-limits.ts) in API Gateway and WAF terms: throttling of each
 * route's method for the shoppers it serves, the partners' usage plan (per-key throttle and daily quota) with
 * their API keys, and one WAF rate-based rule per class.
 */
import { ApiKey, Period, type MethodDeploymentOptions, type RestApi } from 'aws-cdk-lib/aws-apigateway';
import type { CfnWebACL } from 'aws-cdk-lib/aws-wafv2';
import { API_KEY_HEADER, type ClientLimit, type RateLimits } from '../rate-limits';
import type { Route } from '../routes';
import { resourcePathOf } from './api';

/** Routes that need a user serve signed-in shoppers; public and optional-auth ones anonymous shoppers too. */
export const shopperClassOf = (route: Route): 'anonymous' | 'signedIn' =>
  route.auth.kind === 'user' || route.auth.kind === 'groups' ? 'signedIn' : 'anonymous';

/** Routes that require an API key serve partners only: the usage plan holds each of them to its limits. */
export const isPartnerRoute = (route: Route): boolean => route.auth.kind === 'apiKey';

/**
 * The stage's method settings: each shoppers' route's method throttled for all shoppers of its class. Partner routes
 * get none: a shoppers' method limit shared by all partners would let one partner's sync starve the others, while
 * the usage plan already throttles each key and the stage's throttle bounds them all.
 */
export function throttlingByMethod(
  routes: readonly Route[],
  limits: RateLimits,
): Record<string, MethodDeploymentOptions> {
  return Object.fromEntries(
    routes
      .filter((route) => !isPartnerRoute(route))
      .map((route) => {
        const { rateLimit, burstLimit } = limits[shopperClassOf(route)].perMethod;
        return [
          `${resourcePathOf(route)}/${route.method}`,
          { throttlingRateLimit: rateLimit, throttlingBurstLimit: burstLimit },
        ];
      }),
  );
}

/**
 * The partners' usage plan: each API key throttled on its own and held to a daily quota. API Gateway applies a plan
 * only to methods that require a key (the routes whose auth is apiKey, lib/contexts/api.ts authorizationOf).
 */
export function partnerUsagePlan(
  restApi: RestApi,
  namePrefix: string,
  limit: RateLimits['partner'],
  partnerClients: readonly string[],
) {
  const plan = restApi.addUsagePlan('UsagePlan', {
    name: `${namePrefix}-partners`,
    description: 'Partner API clients: throttling and a daily quota per API key (lib/rate-limits.ts)',
    throttle: { rateLimit: limit.rateLimit, burstLimit: limit.burstLimit },
    quota: { limit: limit.quotaPerDay, period: Period.DAY },
    apiStages: [{ api: restApi, stage: restApi.deploymentStage }],
  });
  for (const partner of partnerClients) {
    if (!/^[a-z0-9-]{1,40}$/.test(partner))
      throw new Error(`A partner client's name must be 1-40 lower-case letters, digits or dashes, got "${partner}"`);
    plan.addApiKey(
      new ApiKey(restApi, `PartnerKey-${partner}`, {
        apiKeyName: `${namePrefix}-${partner}`,
        description: `API key of partner ${partner}`,
      }),
    );
  }
  return plan;
}

const headerPresent = (name: string): CfnWebACL.StatementProperty => ({
  sizeConstraintStatement: {
    fieldToMatch: { singleHeader: { Name: name } },
    comparisonOperator: 'GT',
    size: 0,
    textTransformations: [{ priority: 0, type: 'NONE' }],
  },
});

const perHeader = (name: string) => ({
  aggregateKeyType: 'CUSTOM_KEYS',
  customKeys: [{ header: { name, textTransformations: [{ priority: 0, type: 'NONE' }] } }],
  scopeDownStatement: headerPresent(name),
});

/**
 * One rate-based rule per client class, as the local edge classifies requests: an API key → a partner, counted
 * per key; a bearer token → a signed-in shopper, per token; neither → an anonymous shopper, per IP. WAF cannot
 * check a token or a key, so the stage-wide per-IP rule stays in front as the backstop against rotated ones.
 */
export function classRateRules(
  limits: Readonly<Record<'anonymous' | 'signedIn' | 'partner', ClientLimit>>,
  firstPriority: number,
  visibility: (metricName: string) => CfnWebACL.VisibilityConfigProperty,
  action: CfnWebACL.RuleActionProperty,
): CfnWebACL.RuleProperty[] {
  const anonymous = {
    aggregateKeyType: 'IP',
    scopeDownStatement: {
      notStatement: {
        statement: { orStatement: { statements: [headerPresent('authorization'), headerPresent(API_KEY_HEADER)] } },
      },
    },
  };
  const keys = { anonymous, signedIn: perHeader('authorization'), partner: perHeader(API_KEY_HEADER) };
  return (['anonymous', 'signedIn', 'partner'] as const).map((name, i) => ({
    name: `RequestsPerClient-${name}`,
    priority: firstPriority + i,
    action,
    statement: {
      rateBasedStatement: { limit: limits[name].requestsPer5Minutes, evaluationWindowSec: 300, ...keys[name] },
    },
    visibilityConfig: visibility(`RequestsPerClient-${name}`),
  }));
}
