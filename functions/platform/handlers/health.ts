import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { KinesisClient } from '@aws-sdk/client-kinesis';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import * as z from 'zod/mini';
import { parseEnv } from '../../shared/env';
import { httpHandler, json } from '../../shared/http';
import { checkHealth } from '../domain/health';
import { SearchEnv } from '../../search/adapters/opensearch-connection';
import {
  dynamoProbe,
  identityProbe,
  kinesisProbe,
  searchProbeFromEnv,
  warehouseProbeFromEnv,
} from '../adapters/probes';
import type { HealthProbe } from '../ports';
import { traced } from '../../shared/tracing';

export const makeHandler = (probes: HealthProbe[]) =>
  httpHandler(async () => {
    const health = await checkHealth(probes);
    return json(health.status === 'ok' ? 200 : 503, health, { 'cache-control': 'no-store' });
  });

const env = parseEnv(
  z.object({ PRODUCTS_TABLE: z.string(), USER_POOL_ID: z.string(), CLICKSTREAM_STREAM: z.string() }),
);
// Probes fail fast: a health check that retries hides the outage it exists to report.
export const handler = makeHandler([
  dynamoProbe(traced(new DynamoDBClient({ maxAttempts: 1 })), env.PRODUCTS_TABLE),
  identityProbe(traced(new CognitoIdentityProviderClient({ maxAttempts: 1 })), env.USER_POOL_ID),
  // HTTP/1.1, as functions/shared/clients explains (kinesalite speaks no HTTP/2).
  kinesisProbe(
    traced(new KinesisClient({ maxAttempts: 1, requestHandler: new NodeHttpHandler() })),
    env.CLICKSTREAM_STREAM,
  ),
  // The Redshift Serverless workgroup's status: never billed SQL, at most once a minute.
  warehouseProbeFromEnv(parseEnv(z.object({ REDSHIFT_WORKGROUP: z.string().check(z.minLength(1)) }))),
  // GET /_cluster/health, at most once a minute.
  searchProbeFromEnv(parseEnv(SearchEnv)),
]);
