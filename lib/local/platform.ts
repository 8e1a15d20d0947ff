/**
 * The local substrate: emulators, resources as CDK would deploy them, the seeded catalog, and the HTTP
 * edge over the same route table and handler modules. Used by `npm start`, the tests and the benchmarks.
 */
import './handler-log-level';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { routes as allRoutes, type Route } from '../routes';
import { tableList, tables } from '../tables';
import { cognitoIdTokenVerifier, ensureAdmin, ensureTables, ensureUserPool, physicalTableName } from './bootstrap';
import { createEdge, type EdgeOptions } from './edge';
import { assertPortFree, startCognitoLocal, startDynamoDbLocal, type Emulator } from './emulators';
import { isSeeded, seedCatalog } from './seed/seed';
import { seedPromotions } from './seed/promotions';
import { startSqsEmulator, type SqsEmulator } from './sqs/server';
import type { StepFunctionsEmulator } from './stepfunctions/server';
import { startCheckout } from './checkout';
import { startLocalKinesis, type LocalKinesis } from './kinesis';
import { loadSeedCatalog, type SeedProduct } from './seed/catalog-source';
import { prepareLocalRecommendations, type LocalModelOptions, type LocalRecommendations, type StartContext } from './recommendations';
import { analyticsEnv, startAnalyticsPipeline, type AnalyticsPipeline } from './analytics';
import { startPlatformLambda } from './lambda/platform-functions';
import type { LambdaEmulator } from './lambda/types';
import { runtimeFile, writeRuntimeInfo, type RuntimeInfo } from './running-platform';
import { startSearchEngine } from './search/server';
import { startLocalSearch, type LocalSearch } from './search-platform/start';
import type { CatalogIndexing } from './search-platform/index-catalog';

export const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

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
  analytics: Pick<AnalyticsPipeline, 'caughtUp' | 'stats' | 'failureQueueUrls' | 'consumers'> & { warehouseDir: string };
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
const REGION = 'eu-west-2';
const TABLE_PREFIX = 'ecicomm';

const pidFile = (dataDir: string) => path.join(dataDir, 'pids.json');
export { runtimeFile } from './running-platform';

interface PidRecord {
  owner: number;
  pids: number[];
}

const isAlive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/**
 * One platform per data directory. A live owner means another `npm start` uses it; a dead owner means a
 * run was killed hard and left its emulators behind, which are stopped if they are still ours.
 */
async function claimDataDir(dataDir: string) {
  const killed: number[] = [];
  if (existsSync(pidFile(dataDir))) {
    const record = JSON.parse(readFileSync(pidFile(dataDir), 'utf8')) as PidRecord;
    if (record.owner !== process.pid && isAlive(record.owner)) {
      throw new Error(`Another local platform (pid ${record.owner}) is using ${dataDir}; stop it or set LOCAL_DATA_DIR`);
    }
    for (const pid of record.pids ?? []) {
      try {
        const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
        if (cmdline.includes('DynamoDBLocal') || cmdline.includes('cognito-local')) {
          process.kill(pid, 'SIGKILL');
          killed.push(pid);
        }
      } catch {
        // Already gone.
      }
    }
  }
  writeFileSync(pidFile(dataDir), JSON.stringify({ owner: process.pid, pids: [] } satisfies PidRecord));
  // Their ports are free only once they are gone; a kill is not instant.
  for (const deadline = Date.now() + 5000; killed.some(isAlive) && Date.now() < deadline; ) await new Promise((r) => setTimeout(r, 50));
}

/** Where an earlier run's catalog came from (its seed marker), for a restart that seeds nothing. */
function seedSourceOf(marker: string): 'dataset' | 'demo' | 'none' {
  try {
    const source = (JSON.parse(readFileSync(marker, 'utf8')) as { source?: string }).source;
    return source === 'dataset' || source === 'demo' ? source : 'none';
  } catch {
    return 'none';
  }
}

export async function startPlatform(options: PlatformOptions): Promise<Platform> {
  const log = options.log ?? (() => undefined);
  const port = options.port ?? 3000;
  const dynamoPort = options.dynamoPort ?? 8000;
  const cognitoPort = options.cognitoPort ?? 9229;
  const { dataDir } = options;
  const persist = options.persist ?? true;

  if (options.fresh) rmSync(dataDir, { recursive: true, force: true });
  mkdirSync(dataDir, { recursive: true });
  await assertPortFree(port, 'HTTP API');
  await assertPortFree(options.sqsPort ?? 9324, 'local SQS');
  await assertPortFree(options.stepFunctionsPort ?? 8083, 'local Step Functions');
  await assertPortFree(options.kinesisPort ?? 4567, 'local Kinesis');
  await assertPortFree(options.lambdaPort ?? 9001, 'local Lambda');
  await assertPortFree(options.searchPort ?? 9200, 'local search engine');
  if (options.model?.port) await assertPortFree(options.model.port, 'model server');
  await claimDataDir(dataDir);

  // Reading the dataset is CPU work for Node while the JVM starts: do both at once on a first start.
  const seedMarker = path.join(dataDir, 'seeded.json');
  const loadCatalog = () => loadSeedCatalog({ datasetDir: options.seed === 'demo' ? undefined : options.datasetDir });
  const catalogLoading = options.seed !== 'none' && !existsSync(seedMarker) ? loadCatalog() : undefined;
  catalogLoading?.catch(() => undefined); // Awaited (and its error surfaced) where the catalog is seeded.

  const emulators: Emulator[] = [];
  const stopEmulators = async () => {
    await Promise.all(emulators.map((e) => e.stop()));
    rmSync(pidFile(dataDir), { force: true });
  };
  let server: Server | undefined;
  let sqs: SqsEmulator | undefined;
  let stepFunctions: StepFunctionsEmulator | undefined;
  let kinesis: LocalKinesis | undefined;
  let stopSweeper = () => undefined as void;
  let recommendations: LocalRecommendations | undefined;
  let analytics: AnalyticsPipeline | undefined;
  let lambda: LambdaEmulator | undefined;
  let search: LocalSearch | undefined;
  try {
    const started = await Promise.allSettled([
      startDynamoDbLocal({ port: dynamoPort, dataDir: persist ? path.join(dataDir, 'dynamodb') : undefined }),
      startCognitoLocal({ port: cognitoPort, dataDir: path.join(dataDir, 'cognito') }),
    ]);
    for (const s of started) if (s.status === 'fulfilled') emulators.push(s.value);
    writeFileSync(pidFile(dataDir), JSON.stringify({ owner: process.pid, pids: emulators.map((e) => e.pid) } satisfies PidRecord));
    const failed = started.find((s) => s.status === 'rejected');
    if (failed) throw (failed as PromiseRejectedResult).reason;
    const [dynamoEmu, cognitoEmu] = emulators as [Emulator, Emulator];
    log(`DynamoDB Local on ${dynamoEmu.endpoint} (pid ${dynamoEmu.pid}); cognito-local on ${cognitoEmu.endpoint} (pid ${cognitoEmu.pid})`);

    // A secret per run: the Lambda Invoke and Step Functions endpoints answer only requests signed with it, which
    // the handlers (through their environment) and `npm run replay` / `redrive` (through runtime.json) hold.
    const credentials = { accessKeyId: 'local', secretAccessKey: randomBytes(32).toString('base64url') };
    const baseEnv: Record<string, string> = {
      AWS_REGION: REGION,
      AWS_DEFAULT_REGION: REGION,
      AWS_ACCESS_KEY_ID: credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
      AWS_ENDPOINT_URL_DYNAMODB: dynamoEmu.endpoint,
      AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER: cognitoEmu.endpoint,
      POWERTOOLS_TRACE_ENABLED: 'false',
      POWERTOOLS_LOG_LEVEL: process.env.POWERTOOLS_LOG_LEVEL!,
      POWERTOOLS_DEV: 'true',
    };
    const dynamoClient = new DynamoDBClient({ region: REGION, endpoint: dynamoEmu.endpoint, credentials });
    const dynamo = DynamoDBDocumentClient.from(dynamoClient, { marshallOptions: { removeUndefinedValues: true } });
    const cognito = new CognitoIdentityProviderClient({ region: REGION, endpoint: cognitoEmu.endpoint, credentials });

    await ensureTables(dynamoClient, TABLE_PREFIX, tableList);
    const tableNames = Object.fromEntries(
      Object.entries(tables).map(([key, spec]) => [key, physicalTableName(TABLE_PREFIX, spec)]),
    ) as Platform['tableNames'];
    const { userPoolId, clientId } = await ensureUserPool(cognito, path.join(dataDir, 'cognito', 'pool.json'));

    sqs = await startSqsEmulator({ port: options.sqsPort ?? 9324, region: REGION, dataFile: persist ? path.join(dataDir, 'sqs.json') : undefined });
    kinesis = await startLocalKinesis({
      port: options.kinesisPort ?? 4567,
      region: REGION,
      prefix: TABLE_PREFIX,
      dataDir: persist ? path.join(dataDir, 'kinesis') : undefined,
      credentials,
    });
    log(`kinesalite on ${kinesis.endpoint} (stream ${kinesis.streamNames.clickstream})`);
    let handlersReady = () => undefined as void;
    const checkout = await startCheckout({
      handlersReady: new Promise<void>((resolve) => (handlersReady = resolve)),
      region: REGION,
      projectRoot,
      sqsEndpoint: sqs.endpoint,
      stepFunctionsPort: options.stepFunctionsPort ?? 8083,
      sweepEverySeconds: options.sweepEverySeconds ?? 60,
      credentials,
      dataDir: persist ? path.join(dataDir, 'stepfunctions') : undefined,
    });
    stepFunctions = checkout.stepFunctions;
    stopSweeper = checkout.stopSweeper;
    recommendations = await prepareLocalRecommendations({ ...options.model, dataDir });
    search = await startLocalSearch({
      startEngine: startSearchEngine,
      port: options.searchPort ?? 9200,
      dataDir: persist ? path.join(dataDir, 'search') : undefined,
      region: REGION,
      credentials,
    });
    log(`search engine on ${search.endpoint}`);
    // One PGlite per process, shared by the consumers, the analytics API and the health check; it opens on
    // first use (the first batch or query), so starting costs nothing here.
    const warehouseDir = persist ? path.join(dataDir, 'warehouse') : 'memory://';

    const env: Record<string, string> = {
      ...baseEnv,
      ...checkout.env,
      ...kinesis.env,
      ...recommendations.env,
      ...analyticsEnv(warehouseDir),
      ...search.env,
      ...Object.fromEntries(tableList.map((spec) => [spec.envVar, physicalTableName(TABLE_PREFIX, spec)])),
      USER_POOL_ID: userPoolId,
      USER_POOL_CLIENT_ID: clientId,
    };
    Object.assign(process.env, env);
    handlersReady();

    const admin = options.admin ?? DEFAULT_ADMIN;
    const adminId = await ensureAdmin(cognito, dynamo, { userPoolId, usersTable: tableNames.users, ...admin });

    await seedPromotions(dynamo, tableNames.promotions);
    let seeded: Platform['seeded'] = { source: 'none', products: 0 };
    let seedProducts: SeedProduct[] | undefined;
    const seedTables = { products: tableNames.products, productSkus: tableNames.productSkus, inventory: tableNames.inventory };
    if (options.seed !== 'none') {
      if (await isSeeded(dynamo, seedTables)) {
        seeded = { source: 'existing', products: 0 };
      } else {
        const catalog = await (catalogLoading ?? loadCatalog());
        await seedCatalog(dynamo, seedTables, catalog.products, options.onSeedProgress);
        writeFileSync(seedMarker, JSON.stringify({ source: catalog.source, products: catalog.products.length, at: new Date().toISOString() }));
        seeded = { source: catalog.source, products: catalog.products.length };
        seedProducts = catalog.products;
      }
    }

    const verifyToken = await cognitoIdTokenVerifier(`${cognitoEmu.endpoint}/${userPoolId}`, clientId);

    server = createEdge({ routes: options.routes ?? allRoutes, projectRoot, verifyToken, onRequest: options.onRequest });
    await new Promise<void>((resolve, reject) => {
      server!.once('error', reject);
      server!.listen(port, '127.0.0.1', () => resolve());
    });
    const apiUrl = `http://127.0.0.1:${port}`;

    // The products index, before the indexer starts: on a fresh start it is loaded in bulk from the seeded table
    // (the indexer then finds every product already at its version), on a restart it is kept as it was.
    const indexingStarted = performance.now();
    const searchIndexing = await search.indexCatalog({ dynamoEndpoint: dynamoEmu.endpoint, productsTable: tableNames.products, onProgress: options.onSearchIndexProgress });
    const indexingSeconds = ((performance.now() - indexingStarted) / 1000).toFixed(1);
    log(`search: index ${searchIndexing.index} (${searchIndexing.how}${searchIndexing.how === 'existing' ? '' : `, ${searchIndexing.indexed} products indexed`} in ${indexingSeconds} s)`);

    // Started once the catalog is written, so seeding does not share the CPU with loading: the products and
    // inventory streams then carry the whole seeded catalog into the warehouse in the background.
    const analyticsStarted = performance.now();
    analytics = await startAnalyticsPipeline({
      projectRoot,
      region: REGION,
      credentials,
      prefix: TABLE_PREFIX,
      dynamoEndpoint: dynamoEmu.endpoint,
      kinesisEndpoint: kinesis.endpoint,
      sqsEndpoint: sqs.endpoint,
      tableNames,
      streamNames: kinesis.streamNames,
      warehouseDir,
      checkpointDir: persist ? path.join(dataDir, 'esm') : undefined,
      onError: (id, e, where) => log(`analytics ${id} (${where}): ${(e as Error)?.message ?? String(e)}`),
    });
    Object.assign(env, analytics.env);
    log(`analytics: ${Object.keys(analytics.consumers).length} stream consumers polling (started in ${(performance.now() - analyticsStarted).toFixed(0)} ms); warehouse ${warehouseDir}, opened on the first batch`);
    // Other processes (replay, redrive) invoke functions here, never in their own process: this one owns the warehouse.
    const consumerInvokers = Object.fromEntries(Object.entries(analytics.consumers).map(([id, c]) => [id, c.invoke]));
    lambda = await startPlatformLambda({ port: options.lambdaPort ?? 9001, region: REGION, projectRoot, credentials, functions: consumerInvokers });
    env.AWS_ENDPOINT_URL_LAMBDA = process.env.AWS_ENDPOINT_URL_LAMBDA = lambda.endpoint;
    // Lets `npm run replay` and `npm run redrive` find and use this running platform.
    const runtime: RuntimeInfo = { apiUrl, lambdaEndpoint: lambda.endpoint, failureQueueUrls: analytics.failureQueueUrls, env, pid: process.pid };
    writeRuntimeInfo(dataDir, runtime);

    // The platform is ready: serve the model, or train one in the background while the function falls back.
    await recommendations.start({
      dynamo,
      aggregatesTable: tableNames.aggregates,
      catalogSource: seeded.source === 'existing' ? seedSourceOf(seedMarker) : seeded.source,
      catalog: seedProducts,
      datasetDir: options.datasetDir,
      projectRoot,
      log,
      onTrainProgress: options.onTrainProgress,
    });
    const model = recommendations;
    const localKinesis = kinesis;
    const pipeline = analytics;
    const invokeApi = lambda;
    const localSearch = search;

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
      pids: emulators.map((e) => e.pid),
      dynamo,
      sqsEndpoint: sqs.endpoint,
      stepFunctionsEndpoint: checkout.stepFunctions.endpoint,
      kinesisEndpoint: localKinesis.endpoint,
      clickstreamStream: localKinesis.streamNames.clickstream,
      orderSagaArn: checkout.env.ORDER_SAGA_ARN!,
      compensationDeadLetterQueueUrl: checkout.deadLetterQueueUrl,
      modelUrl: model.modelUrl,
      recommendations: { state: model.state, served: model.served, modelDir: model.modelDir },
      lambdaEndpoint: invokeApi.endpoint,
      search: { endpoint: localSearch.endpoint, ...searchIndexing },
      analytics: {
        caughtUp: pipeline.caughtUp,
        stats: pipeline.stats,
        failureQueueUrls: pipeline.failureQueueUrls,
        consumers: pipeline.consumers,
        warehouseDir,
      },
      sagasIdle: (timeoutMs) => checkout.stepFunctions.idle(timeoutMs),
      sweep: checkout.sweep,
      stop: async () => {
        await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
        server?.closeAllConnections();
        await invokeApi.stop();
        stopSweeper();
        // Before the emulators it reads from and reports to; it closes the warehouse last.
        await pipeline.stop();
        // Once the indexer is stopped: no write is in flight.
        await localSearch.stop();
        await model.stop();
        await checkout.stepFunctions.stop();
        await sqs?.stop();
        await localKinesis.stop();
        dynamoClient.destroy();
        cognito.destroy();
        await stopEmulators();
        rmSync(runtimeFile(dataDir), { force: true });
      },
    };
  } catch (e) {
    server?.close();
    stopSweeper();
    await lambda?.stop().catch(() => undefined);
    await analytics?.stop().catch(() => undefined);
    await search?.stop().catch(() => undefined);
    await recommendations?.stop().catch(() => undefined);
    await stepFunctions?.stop().catch(() => undefined);
    await sqs?.stop().catch(() => undefined);
    await kinesis?.stop().catch(() => undefined);
    await stopEmulators();
    throw e;
  }
}
