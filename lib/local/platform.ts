/**
 * The local substrate: emulators, resources as CDK would deploy them, the seeded catalog, and the HTTP
 * edge over the same route table and handler modules. Used by `npm start`, the tests and the benchmarks.
 * The steps live in lib/local/platform/: data-dir, databases (emulators, tables, user pool), services (the
 * contexts' emulators, search, analytics, the Invoke API), seed, env, parts (stop).
 */
import './handler-log-level';
import { randomBytes } from 'node:crypto';
import type { Server } from 'node:http';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { routes as allRoutes, type Route } from '../routes';
import type { tables } from '../tables';
import { cognitoIdTokenVerifier, ensureAdmin } from './bootstrap';
import { createEdge, type EdgeOptions } from './edge/server';
import type { LocalModelOptions, LocalRecommendations, StartContext } from './recommendations';
import type { AnalyticsPipeline } from './analytics';
import type { CatalogIndexing } from './search-platform/index-catalog';
import { prepareDataDir } from './platform/data-dir';
import { ensureTablesAndUserPool, startDatabaseEmulators } from './platform/databases';
import { baseEnvironment, handlerEnvironment } from './platform/env';
import { abandonParts, noParts, stopParts } from './platform/parts';
import { projectRoot } from './platform/project-root';
import { seedData, startLoadingCatalog } from './platform/seed';
import { indexSearch, REGION, serveModel, startConsumersAndInvokeApi, startContextServices } from './platform/services';

export { projectRoot } from './platform/project-root';
export { runtimeFile } from './running-platform';

export interface PlatformOptions {
  port?: number;
  dynamoPort?: number;
  cognitoPort?: number;
  sqsPort?: number;
  stepFunctionsPort?: number;
  /** kinesalite's port (default 4567). */
  kinesisPort?: number;
  /** The Lambda Invoke API's port (default 9001), through which other processes invoke the functions. */
  lambdaPort?: number;
  /** The local search engine's port (default 9200, SEARCH_PORT). */
  searchPort?: number;
  /** The local Redshift Data API (lib/local/redshift-data); by default any free port. */
  redshiftDataPort?: number;
  /** How often the settlement pass runs (seconds; LOCAL_SWEEP_SECONDS); 0 turns the timer off (tests settle on demand). */
  sweepEverySeconds?: number;
  /** Where emulators keep their data; undefined keeps DynamoDB in memory (tests). */
  dataDir: string;
  persist?: boolean;
  fresh?: boolean;
  /** 'dataset' reads DATASET_DIR (demo catalog when absent); 'demo' forces the demo catalog; 'none' seeds nothing. */
  seed?: 'dataset' | 'demo' | 'none';
  datasetDir?: string;
  admin?: { email: string; password: string };
  routes?: Route[];
  log?: (message: string) => void;
  onSeedProgress?: (done: number, total: number) => void;
  /** Progress of loading the products index from the table (a fresh start, or a new mapping version). */
  onSearchIndexProgress?: (done: number, total: number) => void;
  onRequest?: EdgeOptions['onRequest'];
  /** The model server and its model (lib/local/recommendations.ts); by default a free port and no training. */
  model?: LocalModelOptions;
  onTrainProgress?: StartContext['onTrainProgress'];
}

export interface Platform {
  apiUrl: string;
  port: number;
  dynamoEndpoint: string;
  cognitoEndpoint: string;
  userPoolId: string;
  clientId: string;
  region: string;
  admin: { email: string; password: string; userId: string };
  tableNames: Record<keyof typeof tables, string>;
  /** The environment the handlers run with (also applied to this process). */
  env: Record<string, string>;
  seeded: { source: 'dataset' | 'demo' | 'existing' | 'none'; products: number };
  pids: number[];
  dynamo: DynamoDBDocumentClient;
  sqsEndpoint: string;
  stepFunctionsEndpoint: string;
  /** kinesalite, and the clickstream stream on it. */
  kinesisEndpoint: string;
  clickstreamStream: string;
  orderSagaArn: string;
  compensationDeadLetterQueueUrl: string;
  /** The model server: the SageMaker endpoint's local stand-in. */
  modelUrl: string;
  /** Whether a model is served yet (`served()` resolves with its version once it is). */
  recommendations: Pick<LocalRecommendations, 'state' | 'served' | 'modelDir'>;
  /**
   * The stream consumers (lib/stream-consumers.ts) behind local event source mappings: `caughtUp()` resolves once
   * every table stream and shard has been loaded into the warehouse as far as it was written at the call.
   */
  analytics: Pick<AnalyticsPipeline, 'caughtUp' | 'stats' | 'failureQueueUrls' | 'consumers'> & { warehouseDir: string; warehouseEndpoint: string };
  /** The Lambda Invoke API serving the consumers, saga tasks and scheduled jobs by id (lib/local/lambda/). */
  lambdaEndpoint: string;
  /** The local search engine (OpenSearch's REST subset) and the products index behind its alias. */
  search: { endpoint: string } & CatalogIndexing;
  /** Resolves when no saga execution is running. */
  sagasIdle(timeoutMs?: number): Promise<void>;
  /** Runs the settlement pass once, now. */
  sweep(): Promise<unknown>;
  stop(): Promise<void>;
}

export const DEFAULT_ADMIN = { email: 'admin@example.com', password: process.env.LOCAL_ADMIN_PASSWORD ?? 'Admin#2026local' };

export async function startPlatform(options: PlatformOptions): Promise<Platform> {
  const log = options.log ?? (() => undefined);
  const port = options.port ?? 3000;
  await prepareDataDir(options, port);
  const catalogLoading = startLoadingCatalog(options);
  const parts = noParts(options.dataDir);
  try {
    const { dynamoEmu, cognitoEmu } = await startDatabaseEmulators(options, parts.emulators, log);
    // A secret per run: the Lambda Invoke and Step Functions endpoints answer only requests signed with it, which
    // the handlers (through their environment) and `npm run replay` / `redrive` (through runtime.json) hold.
    const credentials = { accessKeyId: 'local', secretAccessKey: randomBytes(32).toString('base64url') };
    const baseEnv = baseEnvironment(credentials, dynamoEmu.endpoint, cognitoEmu.endpoint);
    const dynamoClient = (parts.dynamoClient = new DynamoDBClient({ region: REGION, endpoint: dynamoEmu.endpoint, credentials }));
    const dynamo = DynamoDBDocumentClient.from(dynamoClient, { marshallOptions: { removeUndefinedValues: true } });
    const cognito = (parts.cognito = new CognitoIdentityProviderClient({ region: REGION, endpoint: cognitoEmu.endpoint, credentials }));
    const { tableNames, userPoolId, clientId } = await ensureTablesAndUserPool(dynamoClient, cognito, options.dataDir);

    const services = await startContextServices(options, parts, credentials, log);
    const env = handlerEnvironment(baseEnv, services.env, { userPoolId, clientId });
    Object.assign(process.env, env);
    services.handlersReady();

    const admin = options.admin ?? DEFAULT_ADMIN;
    const adminId = await ensureAdmin(cognito, dynamo, { userPoolId, usersTable: tableNames.users, ...admin });
    const { seeded, seedProducts } = await seedData(dynamo, tableNames, options, catalogLoading);

    const verifyToken = await cognitoIdTokenVerifier(`${cognitoEmu.endpoint}/${userPoolId}`, clientId);
    parts.server = createEdge({ routes: options.routes ?? allRoutes, projectRoot, verifyToken, onRequest: options.onRequest });
    const apiUrl = await listen(parts.server, port);

    const searchIndexing = await indexSearch(services, dynamoEmu.endpoint, tableNames.products, options, log);
    const { analytics, lambda } = await startConsumersAndInvokeApi(services, parts, { credentials, dynamoEndpoint: dynamoEmu.endpoint, tableNames, env, apiUrl }, options, log);

    await serveModel(services, { dynamo, aggregatesTable: tableNames.aggregates, seeded, seedProducts, seedMarker: catalogLoading.seedMarker }, options, log);
    const { checkout, kinesis, recommendations: model, search } = services;
    return {
      apiUrl,
      port,
      dynamoEndpoint: dynamoEmu.endpoint,
      cognitoEndpoint: cognitoEmu.endpoint,
      userPoolId,
      clientId,
      region: REGION,
      admin: { ...admin, userId: adminId },
      tableNames,
      env,
      seeded,
      pids: parts.emulators.map((e) => e.pid),
      dynamo,
      sqsEndpoint: services.sqs.endpoint,
      stepFunctionsEndpoint: checkout.stepFunctions.endpoint,
      kinesisEndpoint: kinesis.endpoint,
      clickstreamStream: kinesis.streamNames.clickstream,
      orderSagaArn: checkout.env.ORDER_SAGA_ARN!,
      compensationDeadLetterQueueUrl: checkout.deadLetterQueueUrl,
      modelUrl: model.modelUrl,
      recommendations: { state: model.state, served: model.served, modelDir: model.modelDir },
      lambdaEndpoint: lambda.endpoint,
      search: { endpoint: search.endpoint, ...searchIndexing },
      analytics: { caughtUp: analytics.caughtUp, stats: analytics.stats, failureQueueUrls: analytics.failureQueueUrls, consumers: analytics.consumers, warehouseDir: services.warehouseDir, warehouseEndpoint: services.warehouse.endpoint },
      sagasIdle: (timeoutMs) => checkout.stepFunctions.idle(timeoutMs),
      sweep: checkout.sweep,
      stop: () => stopParts(parts),
    };
  } catch (e) {
    await abandonParts(parts);
    throw e;
  }
}

async function listen(server: Server, port: number): Promise<string> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  return `http://127.0.0.1:${port}`;
}
