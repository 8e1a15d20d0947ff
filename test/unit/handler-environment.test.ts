import { afterEach, describe, expect, it, jest } from '@jest/globals';
import { routes } from '../../lib/routes';
import { streams } from '../../lib/streams';
import { tables } from '../../lib/tables';
import { buckets } from '../../lib/buckets';
import type { FunctionSpec } from '../../lib/function-spec';
import { orderSaga, scheduledJobs } from '../../lib/saga';
import { SEARCH_ENV, searchConsumers } from '../../lib/search';
import { imageProcessor } from '../../lib/image-pipeline';

/** The environment a route's function gets in AWS (lib/contexts/route-function.ts derives it the same way). */
const environmentOf = (
  route: Pick<FunctionSpec, 'context'> & {
    tables?: FunctionSpec['tables'];
    userPoolActions?: string[];
    startsSaga?: boolean;
    describesSagaExecutions?: boolean;
    sagemakerEndpoint?: boolean;
    insightsEndpoint?: boolean;
    warehouse?: string;
    search?: string;
    streams?: Partial<Record<keyof typeof streams, string>>;
    buckets?: FunctionSpec['buckets'];
  },
) => {
  const env: Record<string, string> = { AWS_REGION: 'eu-west-2', POWERTOOLS_SERVICE_NAME: route.context };
  for (const key of Object.keys(route.tables ?? {}) as (keyof typeof tables)[])
    env[tables[key].envVar] = `table-${key}`;
  for (const key of Object.keys(route.buckets ?? {}) as (keyof typeof buckets)[])
    env[buckets[key].envVar] = `bucket-${key}`;
  for (const key of Object.keys(route.streams ?? {}) as (keyof typeof streams)[])
    env[streams[key].envVar] = `stream-${key}`;
  if (route.userPoolActions !== undefined) Object.assign(env, { USER_POOL_ID: 'pool', USER_POOL_CLIENT_ID: 'client' });
  if (route.startsSaga || route.describesSagaExecutions)
    env.ORDER_SAGA_ARN = 'arn:aws:states:eu-west-2:123456789012:stateMachine:order-saga';
  if (route.sagemakerEndpoint) env.SAGEMAKER_ENDPOINT_NAME = 'ecicomm-test-recommendations';
  if (route.insightsEndpoint) env.INSIGHTS_ENDPOINT_NAME = 'ecicomm-test-insights';
  if (route.warehouse) Object.assign(env, { REDSHIFT_WORKGROUP: 'ecicomm-analytics', REDSHIFT_DATABASE: 'analytics' });
  // The signing name is left to its default (es): a domain needs only its endpoint.
  if (route.search) env[SEARCH_ENV.endpoint] = 'https://search-ecicomm-test-abc123.eu-west-2.es.amazonaws.com';
  return env;
};

describe('handler modules', () => {
  const saved = { ...process.env };
  afterEach(() => {
    process.env = { ...saved };
  });

  it.each(routes.map((r) => [r.id, r] as const))(
    '%s loads with only the environment its route grants',
    async (_id, route) => {
      jest.resetModules();
      process.env = { PATH: saved.PATH, ...environmentOf(route) };
      const module = (await import(`../../${route.handler}`)) as { handler?: unknown };
      expect(typeof module.handler).toBe('function');
    },
  );
});

describe('saga, scheduled and search-indexer functions', () => {
  const saved = { ...process.env };
  afterEach(() => {
    process.env = { ...saved };
  });

  it.each([...orderSaga.tasks, ...scheduledJobs, ...searchConsumers].map((f) => [f.id, f] as const))(
    '%s loads with only the environment its entry grants',
    async (_id, spec) => {
      jest.resetModules();
      process.env = { PATH: saved.PATH, ...environmentOf(spec) };
      const module = (await import(`../../${spec.handler}`)) as { handler?: unknown };
      expect(typeof module.handler).toBe('function');
    },
  );

  it('the image function loads with its tables, the bucket and the public root of the variants', async () => {
    jest.resetModules();
    process.env = {
      PATH: saved.PATH,
      ...environmentOf(imageProcessor),
      IMAGES_BASE_URL: 'https://d111111abcdef8.cloudfront.net',
    };
    const module = (await import(`../../${imageProcessor.handler}`)) as { handler?: unknown };
    expect(typeof module.handler).toBe('function');
  });
});
