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
import { formatOriginPattern, parseAllowedOrigins } from '../../functions/shared/cors';
import { routes as allRoutes } from '../routes';
import { cognitoIdTokenVerifier, ensureAdmin } from './bootstrap';
import { apiKeysOf, newApiKey, type ApiKeys } from './edge/api-keys';
import { createEdge } from './edge/server';
import { rateLimiter } from './edge/rate-limits/limiter';
import { prepareDataDir } from './platform/data-dir';
import { startPhases, type StartPhases } from './platform/phases';
import type { LocalCredentials } from './guard/sigv4';

type Log = (message: string) => void;
import { ensureTablesAndUserPool } from './platform/databases';
import { startDatabaseEmulators } from './platform/database-emulators';
import { baseEnvironment, handlerEnvironment } from './platform/env';
import { abandonParts, noParts, stopParts } from './platform/parts';
import { allStarted } from './platform/all-started';
import { projectRoot } from './platform/project-root';
import { seedData, startLoadingCatalog } from './platform/seed';
import { indexSearch, REGION, serveModel, startConsumersAndInvokeApi, startContextServices } from './platform/services';
import { DAILY_SECONDS, startArchiveTimer } from './archive/timer';
import { enableInvocationScopes } from './lambda/invoke-store';

export { projectRoot } from './platform/project-root';
export type { Platform, PlatformOptions } from './platform/types';
import type { Platform, PlatformOptions } from './platform/types';
import type { SeedProduct } from '../../catalog-data/catalog';
export { runtimeFile } from './running-platform';

/** Any port of this machine's names: storefronts and tools in development, whatever port they pick. */
export const DEFAULT_CORS_ORIGINS = ['http://localhost:*', 'http://127.0.0.1:*'];

export const DEFAULT_ADMIN = {
  email: 'admin@example.com',
  password: process.env.LOCAL_ADMIN_PASSWORD ?? 'Admin#2026local',
};

/** The partner `npm start` makes a key for when LOCAL_PARTNER_KEYS names none. */
export const DEFAULT_PARTNER = 'local-partner';

export async function startPlatform(options: PlatformOptions): Promise<Platform> {
  enableInvocationScopes(); // First, before any SDK request: handlers run concurrently here (./lambda/invoke-store.ts).
  const phases = startPhases();
  const log = options.log ?? (() => undefined);
  const port = options.port ?? 3000;
  // A malformed origin stops the start here, before any emulator runs.
  const corsAllowedOrigins = parseAllowedOrigins(options.corsAllowedOrigins ?? DEFAULT_CORS_ORIGINS);
  await (options.early?.prepared ?? prepareDataDir(options, port));
  const catalogLoading = startLoadingCatalog(options);
  const parts = noParts(options.dataDir);
  if (options.early) parts.emulators = options.early.emulators;
  const partnerKeys = options.partnerKeys ?? [{ partner: DEFAULT_PARTNER, key: newApiKey() }];
  // A secret per run: the Lambda Invoke and Step Functions endpoints answer only requests signed with it, which
  // the handlers (through their environment) and `npm run replay` / `redrive` (through runtime.json) hold.
  const credentials = { accessKeyId: 'local', secretAccessKey: randomBytes(32).toString('base64url') };
  const origins = corsAllowedOrigins.map(formatOriginPattern);
  try {
    const started = await startDatabasesAndServices(options, parts, { credentials, origins, phases, log });
    const { dynamoEmu, cognitoEmu, services, dynamo, tableNames, userPoolId, clientId, env } = started;

    const admin = options.admin ?? DEFAULT_ADMIN;
    const { adminId, seeded, seedProducts, apiUrl, searchIndexing, analytics, lambda } =
      await startEdgeCatalogAndConsumers(started, options, parts, {
        admin,
        corsAllowedOrigins,
        partnerKeys,
        catalogLoading,
        credentials,
        phases,
        log,
      });

    const everySeconds = options.archiveEverySeconds ?? DAILY_SECONDS;
    const archive = startArchiveTimer({ projectRoot, everySeconds, log });
    parts.stopArchiveTimer = archive.stop;

    await serveModel(
      services,
      { dynamo, aggregatesTable: tableNames.aggregates, seeded, seedProducts, seedMarker: catalogLoading.seedMarker },
      options,
      log,
    );
    phases.mark('models');
    log(phases.line());
    return platformHandle({
      apiUrl,
      port,
      databases: { dynamoEmu, cognitoEmu, dynamo, tableNames, userPoolId, clientId },
      admin: { ...admin, userId: adminId },
      partnerKeys,
      corsAllowedOrigins,
      env,
      seeded,
      parts,
      services,
      lambda,
      analytics,
      searchIndexing,
      archiveOrders: archive.run,
    });
  } catch (e) {
    await abandonParts(parts);
    throw e;
  }
}

/**
 * Independent steps once the databases and services are up: the admin in the user pool, the catalog in its tables,
 * the edge on its port, and the search index then the stream consumers.
 */
async function startEdgeCatalogAndConsumers(
  started: Awaited<ReturnType<typeof startDatabasesAndServices>>,
  options: PlatformOptions,
  parts: ReturnType<typeof noParts>,
  context: {
    admin: NonNullable<PlatformOptions['admin']>;
    corsAllowedOrigins: ReturnType<typeof parseAllowedOrigins>;
    partnerKeys: NonNullable<PlatformOptions['partnerKeys']>;
    catalogLoading: ReturnType<typeof startLoadingCatalog>;
    credentials: LocalCredentials;
    phases: StartPhases;
    log: Log;
  },
) {
  const { dynamoEmu, cognitoEmu, services, dynamo, cognito, tableNames, userPoolId, clientId, env } = started;
  const { admin, corsAllowedOrigins, partnerKeys, catalogLoading, credentials, phases, log } = context;
  const userPool = { issuer: `${cognitoEmu.endpoint}/${userPoolId}`, clientId };
  // The search index loads from the catalog as it is seeded (a fresh start), or is checked once it is (a restart);
  // once only (a catalog seeded into a data directory that lost its seed marker: the indexer brings the rest).
  let indexing: ReturnType<typeof indexSearch> | undefined;
  const startIndexing = (seeding?: SeedProduct[]) =>
    (indexing ??= indexSearch(services, dynamoEmu.endpoint, tableNames.products, options, log, seeding));
  const catalog = phases.track(
    'catalog',
    seedData(dynamo, tableNames, options, catalogLoading, (p) => void startIndexing(p).catch(() => undefined)),
  );
  const api = phases.track('API', serveApi(parts, options, userPool, corsAllowedOrigins, apiKeysOf(partnerKeys)));
  // The stream consumers read from their checkpoints. A start that writes the catalog starts them after it: they
  // would read its thousands of stream records meanwhile, and slow it. Otherwise they start beside the rest.
  const consumersAfter = catalogLoading.early ? Promise.all([catalog, api]) : api;
  const [adminId, { seeded, seedProducts }, apiUrl, { searchIndexing, analytics, lambda }] = await allStarted(
    phases.track('admin', ensureAdmin(cognito, dynamo, { userPoolId, usersTable: tableNames.users, ...admin })),
    catalog,
    api,
    consumersAfter.then(async () => {
      const searchIndexing = await startIndexing();
      phases.mark('search index');
      const wiring = { credentials, dynamoEndpoint: dynamoEmu.endpoint, tableNames, env, apiUrl: await api };
      const consumers = await startConsumersAndInvokeApi(services, parts, wiring, options, log);
      phases.mark('stream consumers');
      return { searchIndexing, ...consumers };
    }),
  );
  return { adminId, seeded, seedProducts, apiUrl, searchIndexing, analytics, lambda };
}

/**
 * The emulators and the contexts' services side by side, then the tables and the user pool in the emulators, and the
 * handlers' environment in place (the saga's tasks wait for it).
 */
async function startDatabasesAndServices(
  options: PlatformOptions,
  parts: ReturnType<typeof noParts>,
  {
    credentials,
    origins,
    phases,
    log,
  }: { credentials: LocalCredentials; origins: string[]; phases: StartPhases; log: Log },
) {
  // The emulators start in processes of their own (a JVM, a Node): this one starts the contexts' services meanwhile,
  // and the tables and the user pool are made as soon as the emulators answer.
  const emulators = phases.track(
    'emulators',
    options.early?.started ?? startDatabaseEmulators(options, parts.emulators, log),
  );
  const databases = emulators.then(async ({ dynamoEmu, cognitoEmu }) => {
    const { dynamoClient, dynamo, cognito } = connectClients(parts, credentials, dynamoEmu, cognitoEmu);
    const made = await ensureTablesAndUserPool(dynamoClient, cognito, options, log);
    phases.mark('tables and user pool');
    return { dynamoEmu, cognitoEmu, dynamo, cognito, ...made };
  });
  const [{ dynamoEmu, cognitoEmu, dynamo, cognito, tableNames, userPoolId, clientId }, services] = await allStarted(
    databases,
    phases.track('services', startContextServices(options, parts, credentials, origins, log)),
  );
  const baseEnv = baseEnvironment(credentials, dynamoEmu.endpoint, cognitoEmu.endpoint);
  const env = handlerEnvironment(baseEnv, services.env, { userPoolId, clientId }, origins);
  Object.assign(process.env, env);
  services.handlersReady();
  return { dynamoEmu, cognitoEmu, services, dynamo, cognito, tableNames, userPoolId, clientId, env };
}

/** The HTTP edge over the route table, verifying the user pool's ID tokens; resolves with its URL. */
async function serveApi(
  parts: ReturnType<typeof noParts>,
  options: PlatformOptions,
  userPool: { issuer: string; clientId: string },
  corsAllowedOrigins: ReturnType<typeof parseAllowedOrigins>,
  apiKeys: ApiKeys,
): Promise<string> {
  const verifyToken = await cognitoIdTokenVerifier(userPool.issuer, userPool.clientId);
  parts.server = createEdge({
    routes: options.routes ?? allRoutes,
    projectRoot,
    verifyToken,
    corsAllowedOrigins,
    apiKeys,
    rateLimiter: options.rateLimits && rateLimiter(options.rateLimits),
    onRequest: options.onRequest,
  });
  return listen(parts.server, options.port ?? 3000);
}

async function listen(server: Server, port: number): Promise<string> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  return `http://127.0.0.1:${port}`;
}

type Services = Awaited<ReturnType<typeof startContextServices>>;
type Consumers = Awaited<ReturnType<typeof startConsumersAndInvokeApi>>;

/** The two model servers and the SageMaker runtime in front of them, as the platform hands them out. */
function modelHandles({ recommendations: model, insights, sagemakerRuntime }: Services) {
  return {
    modelUrl: model.modelUrl,
    recommendations: { state: model.state, served: model.served, modelDir: model.modelDir },
    insights: {
      state: insights.state,
      served: insights.served,
      modelDir: insights.modelDir,
      modelUrl: insights.modelUrl,
    },
    sagemakerRuntimeUrl: sagemakerRuntime.url,
  };
}

/** What the parts started add up to: the running platform as its users (npm start, tests, benches) see it. */
function platformHandle(started: {
  apiUrl: string;
  port: number;
  databases: {
    dynamoEmu: { endpoint: string };
    cognitoEmu: { endpoint: string };
    dynamo: DynamoDBDocumentClient;
    tableNames: Platform['tableNames'];
    userPoolId: string;
    clientId: string;
  };
  admin: Platform['admin'];
  partnerKeys: Platform['partnerKeys'];
  corsAllowedOrigins: ReturnType<typeof parseAllowedOrigins>;
  env: Record<string, string>;
  seeded: Platform['seeded'];
  parts: ReturnType<typeof noParts>;
  services: Services;
  lambda: Consumers['lambda'];
  analytics: Consumers['analytics'];
  searchIndexing: Awaited<ReturnType<typeof indexSearch>>;
  archiveOrders: () => Promise<unknown>;
}): Platform {
  const { apiUrl, port, databases, admin, partnerKeys, corsAllowedOrigins, env, seeded, parts, services } = started;
  const { lambda, analytics, searchIndexing } = started;
  const { checkout, kinesis, search } = services;
  return {
    apiUrl,
    port,
    dynamoEndpoint: databases.dynamoEmu.endpoint,
    cognitoEndpoint: databases.cognitoEmu.endpoint,
    userPoolId: databases.userPoolId,
    clientId: databases.clientId,
    region: REGION,
    admin,
    partnerKeys,
    tableNames: databases.tableNames,
    corsAllowedOrigins: corsAllowedOrigins.map(formatOriginPattern),
    env,
    seeded,
    pids: parts.emulators.map((e) => e.pid),
    dynamo: databases.dynamo,
    sqsEndpoint: services.sqs.endpoint,
    s3: { endpoint: services.s3.endpoint, bucketNames: services.s3.bucketNames, events: services.s3.events },
    ses: { endpoint: services.ses.endpoint, inboxUrl: services.ses.inboxUrl },
    events: {
      endpoint: services.events.endpoint,
      busName: services.events.busName,
      idle: () => services.events.idle(),
      stats: services.events.stats,
    },
    stepFunctionsEndpoint: checkout.stepFunctions.endpoint,
    kinesisEndpoint: kinesis.endpoint,
    clickstreamStream: kinesis.streamNames.clickstream,
    orderSagaArn: checkout.env.ORDER_SAGA_ARN,
    compensationDeadLetterQueueUrl: checkout.deadLetterQueueUrl,
    ...modelHandles(services),
    lambdaEndpoint: lambda.endpoint,
    search: { endpoint: search.endpoint, ...searchIndexing },
    analytics: {
      caughtUp: analytics.caughtUp,
      stats: analytics.stats,
      failureQueueUrls: analytics.failureQueueUrls,
      consumers: analytics.consumers,
      warehouseDir: services.warehouseDir,
      warehouseEndpoint: services.warehouse.endpoint,
      warehouseSql: services.warehouse.sql,
    },
    sagasIdle: (timeoutMs) => checkout.stepFunctions.idle(timeoutMs),
    sweep: checkout.sweep,
    archiveOrders: started.archiveOrders,
    stop: () => stopParts(parts),
  };
}

/** The SDK clients the start itself uses (seeding, the admin user), kept in `parts` to be closed on stop. */
function connectClients(
  parts: ReturnType<typeof noParts>,
  credentials: { accessKeyId: string; secretAccessKey: string },
  dynamoEmu: { endpoint: string },
  cognitoEmu: { endpoint: string },
) {
  const dynamoClient = (parts.dynamoClient = new DynamoDBClient({
    region: REGION,
    endpoint: dynamoEmu.endpoint,
    credentials,
  }));
  const dynamo = DynamoDBDocumentClient.from(dynamoClient, { marshallOptions: { removeUndefinedValues: true } });
  const cognito = (parts.cognito = new CognitoIdentityProviderClient({
    region: REGION,
    endpoint: cognitoEmu.endpoint,
    credentials,
  }));
  return { dynamoClient, dynamo, cognito };
}
