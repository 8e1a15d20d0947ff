/**
 * The bounded contexts' local services, in the order they depend on one another: SQS and Kinesis, the
 * checkout saga (Step Functions), the model servers and the SageMaker runtime in front of them, the search engine; then, once the catalog is written,
 * the analytics consumers and the Lambda Invoke API.
 */
import path from 'node:path';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { startAnalyticsPipeline, startLocalWarehouse } from '../analytics';
import { startCheckout } from '../checkout';
import type { LocalCredentials } from '../guard/sigv4';
import { startLocalKinesis } from '../kinesis';
import { startPlatformLambda } from '../lambda/platform-functions';
import { LOCAL_ENDPOINT_NAME, prepareLocalRecommendations } from '../recommendations';
import { LOCAL_INSIGHTS_ENDPOINT_NAME, prepareLocalInsights } from '../insights-model';
import { startLocalSageMakerRuntime } from './sagemaker-runtime';
import type { SeedProduct } from '../../../catalog-data/catalog';
import { writeRuntimeInfo, type RuntimeInfo } from '../running-platform';
import { startSearchEngineThread } from '../search/thread';
import { startLocalSearch } from '../search-platform/start';
import { startLocalEventBus } from '../eventbridge/platform';
import { startLocalS3 } from '../s3/server';
import { notifyFunction } from '../s3/function-notification';
import { localInvoker } from '../lambda/local-invoker';
import { imageProcessor } from '../../image-pipeline';
import { startLocalStreamArchive } from '../firehose/archive';
import { auditArchive } from '../../audit';
import { startSqsEmulator } from '../sqs/server';
import { startLocalSes } from '../ses/server';
import type { Platform, PlatformOptions } from './types';
import { projectRoot } from './project-root';
import { allStarted } from './all-started';
import { seedSourceOf } from './data-dir';
import { TABLE_PREFIX } from './databases';
import type { PlatformParts } from './parts';

export const REGION = 'eu-west-2';

type Log = (message: string) => void;

/** The object store with its bucket notifications, the queues, the streams and the event bus. */
async function startStorageAndMessaging(
  options: PlatformOptions,
  parts: PlatformParts,
  credentials: LocalCredentials,
  corsAllowedOrigins: readonly string[],
  log: Log,
) {
  const { dataDir } = options;
  const persist = options.persist ?? true;
  const s3 = (parts.s3 = await startLocalS3({
    port: options.s3Port ?? 4569,
    prefix: TABLE_PREFIX,
    credentials,
    dataDir: persist ? path.join(dataDir, 's3') : undefined,
    corsAllowedOrigins,
    onEventError: (e, key) => log(`S3 notification for ${key}: ${(e as Error)?.message ?? String(e)}`),
  }));
  log(`S3 (s3rver) on ${s3.endpoint} (buckets ${Object.values(s3.bucketNames).join(', ')})`);
  // The images bucket's notification: uploads run the image function (its module loads at the first upload,
  // once the handlers' environment is in place).
  notifyFunction(
    s3.events,
    { bucket: s3.bucketNames.images, ...imageProcessor.notifiedBy, events: [...imageProcessor.notifiedBy.events] },
    localInvoker(projectRoot, imageProcessor),
  );
  const sqs = (parts.sqs = await startSqsEmulator({
    port: options.sqsPort ?? 9324,
    region: REGION,
    dataFile: persist ? path.join(dataDir, 'sqs.json') : undefined,
  }));
  const kinesis = (parts.kinesis = await startLocalKinesis({
    port: options.kinesisPort ?? 4567,
    region: REGION,
    prefix: TABLE_PREFIX,
    dataDir: persist ? path.join(dataDir, 'kinesis') : undefined,
    credentials,
  }));
  log(`kinesalite on ${kinesis.endpoint} (streams ${Object.values(kinesis.streamNames).join(', ')})`);
  const events = (parts.events = await startLocalEventBus({
    port: options.eventBridgePort ?? 4010,
    region: REGION,
    credentials,
    projectRoot,
    sqsEndpoint: sqs.endpoint,
    dataDir: persist ? path.join(dataDir, 'eventbridge') : undefined,
    onDeliveryError: (e, target) => log(`EventBridge delivery to ${target}: ${(e as Error)?.message ?? String(e)}`),
  }));
  log(`EventBridge on ${events.endpoint} (bus ${events.busName})`);
  const ses = (parts.ses = await startLocalSes({ port: options.sesPort ?? 8005 }));
  log(`SES (aws-ses-v2-local) on ${ses.endpoint} (inbox ${ses.inboxUrl})`);
  return { s3, sqs, kinesis, events, ses };
}

/** The search engine and the warehouse, each behind its service's API. */
async function startQueryEngines(
  options: PlatformOptions,
  parts: PlatformParts,
  credentials: LocalCredentials,
  log: Log,
) {
  const persist = options.persist ?? true;
  const warehouseDir = persist ? path.join(options.dataDir, 'warehouse') : 'memory://';
  // Each engine starts a thread of its own: both at once.
  const [search, warehouse] = await allStarted(
    startLocalSearch({
      startEngine: startSearchEngineThread,
      port: options.searchPort ?? 9200,
      dataDir: persist ? path.join(options.dataDir, 'search') : undefined,
      region: REGION,
      credentials,
    }).then((started) => (parts.search = started)),
    // The Redshift Data API over PGlite (lib/local/redshift-data); its engine opens for the migrations, in the background.
    startLocalWarehouse({
      port: options.redshiftDataPort ?? 0,
      region: REGION,
      credentials,
      ...(persist ? { dataDir: warehouseDir } : {}),
      onError: (e) => log(`warehouse migrations: ${(e as Error)?.message ?? String(e)}`),
      sql: { port: options.warehousePort ?? 0, password: options.warehousePassword },
    }).then((started) => (parts.warehouse = started)),
  );
  log(`search engine on ${search.endpoint}`);
  log(
    `Redshift Data API on ${warehouse.endpoint}; SQL clients (Postgres protocol, read-only) on 127.0.0.1:${warehouse.sql.port}`,
  );
  return { search, warehouse, warehouseDir };
}

/** The two model servers (recommendations, demand insights) and the one SageMaker runtime that routes to both. */
async function startModelEndpoints(options: PlatformOptions, parts: PlatformParts) {
  const recommendations = (parts.recommendations = await prepareLocalRecommendations({
    ...options.model,
    dataDir: options.dataDir,
  }));
  const insights = (parts.insights = await prepareLocalInsights({ ...options.insights, dataDir: options.dataDir }));
  const sagemakerRuntime = (parts.sagemakerRuntime = await startLocalSageMakerRuntime({
    endpoints: { [LOCAL_ENDPOINT_NAME]: recommendations.server, [LOCAL_INSIGHTS_ENDPOINT_NAME]: insights.server },
    endpointUrl: options.model?.endpointUrl,
  }));
  return { recommendations, insights, sagemakerRuntime };
}

/** Starts the services the handlers' environment points at; the saga waits for `handlersReady()`. */
export async function startContextServices(
  options: PlatformOptions,
  parts: PlatformParts,
  credentials: LocalCredentials,
  corsAllowedOrigins: readonly string[],
  log: Log,
) {
  const { s3, sqs, kinesis, events, ses } = await startStorageAndMessaging(
    options,
    parts,
    credentials,
    corsAllowedOrigins,
    log,
  );
  let handlersReady = () => undefined as void;
  // The query engines' threads start first, and work on the other core while this one starts the rest.
  const [{ search, warehouse, warehouseDir }, checkout, { recommendations, insights, sagemakerRuntime }] =
    await allStarted(
      startQueryEngines(options, parts, credentials, log),
      startCheckout({
        handlersReady: new Promise<void>((resolve) => (handlersReady = resolve)),
        region: REGION,
        projectRoot,
        sqsEndpoint: sqs.endpoint,
        stepFunctionsPort: options.stepFunctionsPort ?? 8083,
        sweepEverySeconds: options.sweepEverySeconds ?? 60,
        credentials,
        dataDir: (options.persist ?? true) ? path.join(options.dataDir, 'stepfunctions') : undefined,
      }).then((started) => {
        parts.stepFunctions = started.stepFunctions;
        parts.stopSweeper = started.stopSweeper;
        return started;
      }),
      startModelEndpoints(options, parts),
    );
  const env = {
    ...s3.env,
    ...events.env,
    ...ses.env,
    ...checkout.env,
    ...kinesis.env,
    ...recommendations.env,
    ...insights.env,
    ...sagemakerRuntime.env,
    ...warehouse.env,
    ...search.env,
  };
  return {
    s3,
    events,
    ses,
    sqs,
    kinesis,
    checkout,
    recommendations,
    insights,
    sagemakerRuntime,
    search,
    warehouse,
    warehouseDir,
    env,
    handlersReady: () => handlersReady(),
  };
}

export type ContextServices = Awaited<ReturnType<typeof startContextServices>>;

/**
 * The products index, before the indexer starts: on a fresh start it is loaded in bulk from the catalog being seeded,
 * beside the seeding (the indexer then finds every product already at its version), on a restart it is kept as it was.
 */
export async function indexSearch(
  services: ContextServices,
  dynamoEndpoint: string,
  productsTable: string,
  options: PlatformOptions,
  log: Log,
  seeding?: readonly SeedProduct[],
) {
  const indexingStarted = performance.now();
  const searchIndexing = await services.search.indexCatalog({
    dynamoEndpoint,
    productsTable,
    seeding,
    // Beside the seeding, whose bar shows the progress: one bar at a time on a terminal.
    onProgress: seeding ? undefined : options.onSearchIndexProgress,
  });
  const indexingSeconds = ((performance.now() - indexingStarted) / 1000).toFixed(1);
  log(
    `search: index ${searchIndexing.index} (${searchIndexing.how}${searchIndexing.how === 'existing' ? '' : `, ${searchIndexing.indexed} products indexed${seeding ? ' from the catalog being seeded' : ''}`} in ${indexingSeconds} s)`,
  );
  return searchIndexing;
}

/**
 * Started once the catalog is written, so seeding does not share the CPU with loading: the products and
 * inventory streams then carry the whole seeded catalog into the warehouse in the background. Then the
 * Invoke API, and runtime.json, through which `npm run replay` and `redrive` find this platform.
 */
export async function startConsumersAndInvokeApi(
  services: ContextServices,
  parts: PlatformParts,
  wiring: {
    credentials: LocalCredentials;
    dynamoEndpoint: string;
    tableNames: Platform['tableNames'];
    env: Record<string, string>;
    apiUrl: string;
  },
  options: PlatformOptions,
  log: Log,
) {
  const { credentials, env } = wiring;
  const analyticsStarted = performance.now();
  // The consumers find the schema in place, and the analytics API (a reader, which never migrates) answers.
  await services.warehouse.migrated;
  const analytics = (parts.analytics = await startAnalyticsPipeline({
    projectRoot,
    region: REGION,
    credentials,
    prefix: TABLE_PREFIX,
    dynamoEndpoint: wiring.dynamoEndpoint,
    kinesisEndpoint: services.kinesis.endpoint,
    sqsEndpoint: services.sqs.endpoint,
    tableNames: wiring.tableNames,
    streamNames: services.kinesis.streamNames,
    checkpointDir: (options.persist ?? true) ? path.join(options.dataDir, 'esm') : undefined,
    onError: (id, e, where) => log(`analytics ${id} (${where}): ${(e as Error)?.message ?? String(e)}`),
  }));
  Object.assign(env, analytics.env);
  // The audit stream's archive, which Firehose is in AWS.
  parts.auditArchive = await startLocalStreamArchive({
    spec: auditArchive,
    prefix: TABLE_PREFIX,
    region: REGION,
    credentials,
    kinesisEndpoint: services.kinesis.endpoint,
    streamName: services.kinesis.streamNames[auditArchive.stream],
    s3Endpoint: services.s3.endpoint,
    bucketName: services.s3.bucketNames[auditArchive.bucket],
    checkpointDir: (options.persist ?? true) ? path.join(options.dataDir, 'esm') : undefined,
    onError: (e, where) => log(`audit archive (${where}): ${(e as Error)?.message ?? String(e)}`),
  });
  log(
    `analytics: ${Object.keys(analytics.consumers).length} stream consumers polling (started in ${(performance.now() - analyticsStarted).toFixed(0)} ms); warehouse ${services.warehouseDir}`,
  );
  // Other processes (replay, redrive) invoke functions here, never in their own process: this one owns the warehouse.
  const consumerInvokers = Object.fromEntries(Object.entries(analytics.consumers).map(([id, c]) => [id, c.invoke]));
  const lambda = (parts.lambda = await startPlatformLambda({
    port: options.lambdaPort ?? 9001,
    region: REGION,
    projectRoot,
    credentials,
    functions: consumerInvokers,
  }));
  env.AWS_ENDPOINT_URL_LAMBDA = process.env.AWS_ENDPOINT_URL_LAMBDA = lambda.endpoint;
  // Lets `npm run replay` and `npm run redrive` find and use this running platform.
  const runtime: RuntimeInfo = {
    apiUrl: wiring.apiUrl,
    lambdaEndpoint: lambda.endpoint,
    failureQueueUrls: analytics.failureQueueUrls,
    env,
    pid: process.pid,
  };
  writeRuntimeInfo(options.dataDir, runtime);
  return { analytics, lambda };
}

/** The platform is ready: serve the models, or train them in the background while the functions fall back. */
export async function serveModel(
  services: ContextServices,
  data: {
    dynamo: DynamoDBDocumentClient;
    aggregatesTable: string;
    seeded: Platform['seeded'];
    seedProducts: SeedProduct[] | undefined;
    seedMarker: string;
  },
  options: PlatformOptions,
  log: Log,
) {
  await services.recommendations.start({
    dynamo: data.dynamo,
    aggregatesTable: data.aggregatesTable,
    catalogSource: data.seeded.source === 'existing' ? seedSourceOf(data.seedMarker) : data.seeded.source,
    catalog: data.seedProducts,
    datasetDir: options.datasetDir,
    projectRoot,
    log,
    onTrainProgress: options.onTrainProgress,
  });
  await services.insights.start({
    catalogSource: data.seeded.source === 'existing' ? seedSourceOf(data.seedMarker) : data.seeded.source,
    datasetDir: options.datasetDir,
    projectRoot,
    log,
    onTrainProgress: options.onInsightsTrainProgress,
  });
}
