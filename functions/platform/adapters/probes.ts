import { DescribeTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DescribeUserPoolCommand, type CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { DescribeStreamSummaryCommand, type KinesisClient } from '@aws-sdk/client-kinesis';
import { GetWorkgroupCommand, RedshiftServerlessClient } from '@aws-sdk/client-redshift-serverless';
import type { SearchEnv } from '../../search/adapters/opensearch-connection';
import { OpenSearchProductSearch } from '../../search/adapters/opensearch-index';
import { openSearchTransport } from '../../search/adapters/opensearch-transport';
import { cachedProbe } from '../domain/health';
import type { HealthProbe } from '../ports';
import { traced } from '../../shared/tracing';

export const dynamoProbe = (client: DynamoDBClient, tableName: string): HealthProbe => ({
  name: 'dynamodb',
  check: async (abortSignal) => {
    await client.send(new DescribeTableCommand({ TableName: tableName }), { abortSignal });
  },
});

export const identityProbe = (client: CognitoIdentityProviderClient, userPoolId: string): HealthProbe => ({
  name: 'identity',
  check: async (abortSignal) => {
    await client.send(new DescribeUserPoolCommand({ UserPoolId: userPoolId }), { abortSignal });
  },
});

export const kinesisProbe = (client: KinesisClient, streamName: string): HealthProbe => ({
  name: 'kinesis',
  check: async (abortSignal) => {
    await client.send(new DescribeStreamSummaryCommand({ StreamName: streamName }), { abortSignal });
  },
});

/**
 * The warehouse: its Redshift Serverless workgroup is AVAILABLE (locally the Data API emulator answers it too). GetWorkgroup is a control-plane call: it
 * neither runs SQL nor starts an idle workgroup's compute, so a public health check costs the warehouse nothing.
 */
export const warehouseStatusProbe = (
  client: Pick<RedshiftServerlessClient, 'send'>,
  workgroupName: string,
): HealthProbe => ({
  name: 'warehouse',
  check: async (abortSignal) => {
    const { workgroup } = await client.send(new GetWorkgroupCommand({ workgroupName }), { abortSignal });
    if (workgroup?.status !== 'AVAILABLE')
      throw new Error(`Workgroup ${workgroupName} is ${workgroup?.status ?? 'unknown'}`);
  },
});

/**
 * How often, at most, one container asks the warehouse: once a minute while it is up, every 10 s while it is
 * down. The health check is public: its callers must not decide how often the warehouse works.
 */
export const WAREHOUSE_PROBE_CACHE = { okForMs: 60_000, downForMs: 10_000 } as const;

export interface WarehouseProbeDeps {
  /** Redshift Serverless's control plane. */
  serverless: () => Pick<RedshiftServerlessClient, 'send'>;
  now?: () => number;
}

export const liveWarehouseProbeDeps: WarehouseProbeDeps = {
  // Fails fast, as the other probes: a health check that retries hides the outage it exists to report.
  serverless: () => traced(new RedshiftServerlessClient({ maxAttempts: 1 })),
};

/** The workgroup the environment names, asked at most once per WAREHOUSE_PROBE_CACHE period. */
export function warehouseProbeFromEnv(
  env: { REDSHIFT_WORKGROUP: string },
  deps: WarehouseProbeDeps = liveWarehouseProbeDeps,
): HealthProbe {
  const probe = warehouseStatusProbe(deps.serverless(), env.REDSHIFT_WORKGROUP);
  return cachedProbe(probe, { ...WAREHOUSE_PROBE_CACHE, ...(deps.now ? { now: deps.now } : {}) });
}

/** The search engine's cluster health (GET /_cluster/health): green or yellow serves searches, red does not. */
export const searchProbe = (index: Pick<OpenSearchProductSearch, 'clusterStatus'>): HealthProbe => ({
  name: 'search',
  check: async () => {
    const status = await index.clusterStatus();
    if (status !== 'green' && status !== 'yellow') throw new Error(`The search cluster is ${status}`);
  },
});

/** Like the warehouse: the public health check asks the search cluster at most once a minute (every 10 s while down). */
export const SEARCH_PROBE_CACHE = { okForMs: 60_000, downForMs: 10_000 } as const;

export function searchProbeFromEnv(env: SearchEnv, now?: () => number): HealthProbe {
  // No retries: a health check that retries hides the outage it exists to report.
  const index = new OpenSearchProductSearch(openSearchTransport(env, { requestTimeoutMs: 1_500, maxRetries: 0 }));
  return cachedProbe(searchProbe(index), { ...SEARCH_PROBE_CACHE, ...(now ? { now } : {}) });
}
