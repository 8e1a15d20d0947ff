/**
 * CORS in the CDK app (lib/contexts/api-cors.ts): a preflight on every resource that has routes, answered by
 * API Gateway with exactly that resource's methods and the request's Origin only when it is allowed (the
 * mapping template is run by a Velocity engine here); the CORS headers on every gateway response and on the
 * firewall's own blocks; the allowed origins in every route function's environment; and the origins read per
 * stage from the context key `ecicomm:corsAllowedOrigins`.
 */
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import velocity from 'velocityjs';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  CORS_ALLOWED_HEADERS,
  CORS_EXPOSED_HEADERS,
  CORS_MAX_AGE_SECONDS,
  isOriginAllowed,
  parseAllowedOrigins,
} from '../../functions/shared/cors';
import { preflightTemplate } from '../../lib/contexts/api-cors';
import { resourcePathOf } from '../../lib/contexts/api';
import { routes } from '../../lib/routes';
import { composeEciCommApp, corsOriginsFromContext } from '../../lib/stacks/eci-comm-app';
import { EciCommStack } from '../../lib/stacks/platform-stack';
import { allResources, logicalIdOf } from '../support/cdk-templates';

type CfnResource = { Type: string; Properties: Record<string, any> };

const ORIGINS = ['https://shop.example.com', 'http://localhost:*'];
let stack: EciCommStack;
let resources: Record<string, CfnResource>;

const ofType = (type: string) => Object.entries(resources).filter(([, r]) => r.Type === type);

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
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] }, builtinCloudFormationValidation: false });
  stack = new EciCommStack(app, 'CorsTest', { namePrefix: 'ecicomm-test', corsAllowedOrigins: ORIGINS });
  resources = Template.fromStack(stack).toJSON().Resources;
});

describe('CORS preflights in API Gateway', () => {
  it("answer OPTIONS on every resource that has routes, with exactly its routes' methods, and on no other", () => {
    const paths = resourcePaths();
    const expected = new Map<string, string[]>();
    for (const route of routes)
      expected.set(resourcePathOf(route), [...(expected.get(resourcePathOf(route)) ?? []), route.method]);
    const preflights = ofType('AWS::ApiGateway::Method').filter(([, m]) => m.Properties.HttpMethod === 'OPTIONS');
    const found = new Map(preflights.map(([, m]) => [paths.get(m.Properties.ResourceId.Ref)!, m.Properties]));
    expect([...found.keys()].sort()).toEqual([...expected.keys()].sort());
    for (const [path, method] of found) {
      expect([path, method.AuthorizationType, method.Integration.Type]).toEqual([path, 'NONE', 'MOCK']);
      const [response] = method.Integration.IntegrationResponses;
      expect([path, response.StatusCode]).toEqual([path, '204']);
      expect(response.ResponseParameters).toEqual({
        'method.response.header.Access-Control-Allow-Methods': `'${[...expected.get(path)!, 'OPTIONS'].join(',')}'`,
        'method.response.header.Access-Control-Allow-Headers': `'${CORS_ALLOWED_HEADERS.join(',')}'`,
        'method.response.header.Access-Control-Max-Age': `'${CORS_MAX_AGE_SECONDS}'`,
        'method.response.header.Vary': "'Origin'",
      });
      // The origin is never a fixed value: only the template sets it, for an allowed origin.
      expect(response.ResponseTemplates['application/json']).toBe(preflightTemplate(parseAllowedOrigins(ORIGINS)));
      expect(method.MethodResponses).toEqual([
        {
          StatusCode: '204',
          ResponseParameters: expect.objectContaining({ 'method.response.header.Access-Control-Allow-Origin': true }),
        },
      ]);
    }
  });

  describe('run through a Velocity engine, the preflight template', () => {
    // API Gateway's Velocity runs on Java strings; String.matches is the one method the template uses that JS lacks.
    beforeAll(() => {
      Object.defineProperty(String.prototype, 'matches', {
        value(this: string, regex: string) {
          return new RegExp(`^(?:${regex})$`).test(String(this));
        },
        configurable: true,
      });
    });
    afterAll(() => {
      delete (String.prototype as { matches?: unknown }).matches;
    });

    /** The Access-Control-Allow-Origin the template sets for a request with these headers, if any. */
    const allowOrigin = (template: string, headers: Record<string, string>): string | undefined => {
      const override: Record<string, string> = {};
      const params = () => ({ header: { get: (name: string) => headers[name] ?? null } });
      velocity.render(template, { input: { params }, context: { responseOverride: { header: override } } });
      return override['Access-Control-Allow-Origin'];
    };

    it.each([
      'https://shop.example.com',
      'http://localhost:5173',
      'http://localhost',
      'http://shop.example.com',
      'https://shop.example.com.evil.com',
      'http://localhost.evil.com',
      'http://localhost:3000.evil.com',
      'http://localhost:',
      'https://localhost:5173',
      'http://127.0.0.1:5173',
      'null',
    ])('allows %s exactly when the functions and the local edge do', (origin) => {
      const patterns = parseAllowedOrigins(ORIGINS);
      const expected = isOriginAllowed(patterns, origin) ? origin : undefined;
      expect(allowOrigin(preflightTemplate(patterns), { Origin: origin })).toBe(expected);
      // HTTP/2 clients send the header's name in lower case.
      expect(allowOrigin(preflightTemplate(patterns), { origin })).toBe(expected);
    });

    it('sets no origin for a request without one, or when no origin is configured', () => {
      expect(allowOrigin(preflightTemplate(parseAllowedOrigins(ORIGINS)), {})).toBeUndefined();
      expect(allowOrigin(preflightTemplate([]), { Origin: 'http://localhost:5173' })).toBeUndefined();
    });
  });
});

describe('CORS on answers API Gateway and the firewall make themselves', () => {
  it('lets browser apps read every gateway response: 4xx and 5xx defaults, 401, 403, 429, firewall blocks', () => {
    const responses = ofType('AWS::ApiGateway::GatewayResponse');
    const types = responses.map(([, r]) => r.Properties.ResponseType);
    expect(types).toEqual(
      expect.arrayContaining([
        'DEFAULT_4XX',
        'DEFAULT_5XX',
        'UNAUTHORIZED',
        'ACCESS_DENIED',
        'THROTTLED',
        'WAF_FILTERED',
        'MISSING_AUTHENTICATION_TOKEN',
      ]),
    );
    for (const [, response] of responses) {
      expect([response.Properties.ResponseType, response.Properties.ResponseParameters]).toEqual([
        response.Properties.ResponseType,
        expect.objectContaining({
          'gatewayresponse.header.Access-Control-Allow-Origin': "'*'",
          'gatewayresponse.header.Access-Control-Expose-Headers': `'${CORS_EXPOSED_HEADERS.join(',')}'`,
        }),
      ]);
    }
  });

  it("puts them on the firewall's 429s, beside Retry-After", () => {
    const [[, acl]] = ofType('AWS::WAFv2::WebACL');
    const blocks = (acl.Properties.Rules as any[]).filter((r) => r.Action?.Block?.CustomResponse);
    expect(blocks.length).toBeGreaterThan(0);
    for (const rule of blocks) {
      const headers = Object.fromEntries(
        (rule.Action.Block.CustomResponse.ResponseHeaders as { Name: string; Value: string }[]).map((h) => [
          h.Name,
          h.Value,
        ]),
      );
      expect([rule.Name, headers]).toEqual([
        rule.Name,
        {
          'Retry-After': expect.any(String),
          'Access-Control-Allow-Origin': '*',
          'Access-Control-Expose-Headers': CORS_EXPOSED_HEADERS.join(','),
        },
      ]);
    }
  });
});

describe('CORS in the functions', () => {
  it('gives every route function the allowed origins, which it answers with (functions/shared/http.ts)', () => {
    // Most route functions are in a nested stack (lib/contexts/api.ts): every stack's resources.
    const everywhere = allResources<CfnResource>(stack);
    for (const route of routes) {
      const fn = everywhere[logicalIdOf(stack.api.functions.get(route.id)!.function)];
      expect([route.id, fn.Properties.Environment.Variables.CORS_ALLOWED_ORIGINS]).toEqual([
        route.id,
        'https://shop.example.com,http://localhost:*',
      ]);
    }
  });
});

describe('the context key ecicomm:corsAllowedOrigins', () => {
  const appWith = (value: unknown) =>
    new App({
      context: { 'aws:cdk:bundling-stacks': [], 'ecicomm:corsAllowedOrigins': value },
      builtinCloudFormationValidation: false,
    });

  it('gives each stage its own origins, as a list or one comma-separated string, in cdk.json or as JSON on the command line', () => {
    expect(
      corsOriginsFromContext(
        appWith({ Dev: ['http://localhost:*'], Prod: 'https://shop.example.com, https://m.shop.example.com' }),
      ),
    ).toEqual({
      Dev: ['http://localhost:*'],
      Prod: ['https://shop.example.com', 'https://m.shop.example.com'],
    });
    expect(corsOriginsFromContext(appWith('{"Prod":["https://shop.example.com"]}'))).toEqual({
      Prod: ['https://shop.example.com'],
    });
    expect(corsOriginsFromContext(new App())).toEqual({});
  });

  it('refuses a stage the app does not have, and a value that is not stage → origins', () => {
    expect(() => corsOriginsFromContext(appWith({ Production: ['https://shop.example.com'] }))).toThrow(
      /names stage "Production"; the stages are Dev, Staging, Prod/,
    );
    expect(() => corsOriginsFromContext(appWith(['https://shop.example.com']))).toThrow(
      /must be an object of stage → origins/,
    );
    expect(() => corsOriginsFromContext(appWith('https://shop.example.com'))).toThrow(
      /must be an object of stage → origins/,
    );
    expect(() => corsOriginsFromContext(appWith({ Dev: [3000] }))).toThrow(/Dev must be a list of origins/);
  });

  it('reaches the functions of the Dev stage and of the Prod stage the pipeline deploys, each with its own', () => {
    const app = appWith({ Dev: ['http://localhost:*', 'http://127.0.0.1:*'], Prod: ['https://shop.example.com'] });
    const { dev, pipeline } = composeEciCommApp(app, {
      pipelineSource: { kind: 'codecommit', repositoryName: 'ecicomm', branch: 'main' },
      corsAllowedOrigins: corsOriginsFromContext(app),
    });
    const originsOf = (platform: EciCommStack) =>
      new Set(
        Object.values(allResources<CfnResource>(platform))
          .filter((r) => r.Type === 'AWS::Lambda::Function')
          .map((f) => f.Properties.Environment?.Variables?.CORS_ALLOWED_ORIGINS)
          .filter((v) => v !== undefined),
      );
    expect(originsOf(dev.platform)).toEqual(new Set(['http://localhost:*,http://127.0.0.1:*']));
    expect(originsOf(pipeline.stages.Prod.platform)).toEqual(new Set(['https://shop.example.com']));
  });

  it('fails the synthesis on a malformed origin, naming it', () => {
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
    expect(
      () =>
        new EciCommStack(app, 'Bad', { namePrefix: 'ecicomm-bad', corsAllowedOrigins: ['https://shop.example.com/'] }),
    ).toThrow(/"https:\/\/shop\.example\.com\/" is not an origin/);
  });
});
