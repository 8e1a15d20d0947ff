/**
 * npm start: the whole platform on this machine — emulators, tables and user pool, the seeded catalog,
 * and the HTTP API — printing its URLs and local credentials. Ctrl-C stops everything it started.
 */
import path from 'node:path';
import '@ecicomm/local-platform/handler-log-level';
import { SingleBar, Presets } from 'cli-progress';
import { PortInUseError } from '@ecicomm/local-platform/emulators';
import type { Platform, PlatformOptions } from '@ecicomm/local-platform/platform';
import { projectRoot } from '@ecicomm/local-platform/platform/project-root';
import { startDatabasesEarly } from '@ecicomm/local-platform/platform/early';
import { parsePartnerKeys, type PartnerKey } from '@ecicomm/local-platform/edge/api-keys';

import { command, EXIT, parse } from './cli';
import { DEFAULT_RATE_LIMITS, type RateLimits } from '../lib/rate-limits';

const describeRateLimits = (limits: RateLimits) =>
  (['anonymous', 'signedIn', 'partner'] as const)
    .map((name) => `${name} ${limits[name].rateLimit}/s burst ${limits[name].burstLimit}`)
    .join(', ');

const values = command(
  'npm start --',
  'Run the whole platform on this machine: emulators, tables and user pool, the seeded catalog, the HTTP API. Ctrl-C stops it',
)
  .option('--fresh', 'start from empty tables, queues and streams (LOCAL_DATA_DIR is wiped)')
  .option('--port <port>', 'the HTTP API port (default: PORT or 3000)', parse.port)
  .option('--no-seed', 'do not seed the catalog from the dataset')
  .option('--quiet', 'do not log each request')
  .addHelpText(
    'after',
    `
environment: LOCAL_DATA_DIR (default .local), DATASET_DIR, PORT, DYNAMODB_PORT, COGNITO_PORT, SQS_PORT,
  STEPFUNCTIONS_PORT, KINESIS_PORT, LAMBDA_PORT, SEARCH_PORT, S3_PORT, EVENTBRIDGE_PORT, SES_PORT (the local SES and
  its e-mail inbox, default 8005), REDSHIFT_DATA_PORT, MODEL_PORT,
  INSIGHTS_MODEL_PORT (the demand-insights model server, default 8081), MODEL_VARIANT, WAREHOUSE_PORT and WAREHOUSE_PASSWORD (the warehouse's SQL login), CORS_ALLOWED_ORIGINS, LOCAL_SWEEP_SECONDS,
  LOCAL_ARCHIVE_SECONDS (the archive of old orders' period, daily by default; 0 turns it off),
  LOCAL_RATE_LIMITS=1 (enforce the rate limits by client class of lib/rate-limits.ts at the edge; off by default),
  LOCAL_PARTNER_KEYS (partner API keys for the partner routes: comma-separated partner=key, 20+ characters each;
  by default a new key of partner local-partner each start)
exit codes: 0 stopped by Ctrl-C or SIGTERM, 1 could not start, 2 bad usage`,
  )
  .parse()
  .opts<{ fresh?: boolean; port?: number; seed: boolean; quiet?: boolean }>();

const started = performance.now();

// A malformed key list is a usage error, refused before anything starts.
let partnerKeys: PartnerKey[] | undefined;
try {
  partnerKeys = process.env.LOCAL_PARTNER_KEYS ? parsePartnerKeys(process.env.LOCAL_PARTNER_KEYS) : undefined;
} catch (e) {
  console.error((e as Error).message);
  process.exit(EXIT.usage);
}

const modelStatus = (platform: Platform, model: 'recommendations' | 'insights') => {
  const state = platform[model].state();
  switch (state.status) {
    case 'serving':
      return `serving ${state.version}`;
    case 'training':
      return model === 'recommendations'
        ? `training in the background, recommendations fall back to popularity meanwhile`
        : `training in the background (about a minute on the dataset), its routes answer 503 meanwhile`;
    case 'no-model':
      return `no model: ${state.reason}`;
    case 'failed':
      return `training failed: ${state.error.split('\n')[0]}`;
  }
};
const partnerLines = (platform: Platform) =>
  platform.partnerKeys
    .map(
      ({ partner, key }) =>
        `  Partner        ${partner}: API key ${key}   (x-api-key; ${process.env.LOCAL_PARTNER_KEYS ? 'from LOCAL_PARTNER_KEYS' : 'new each start unless LOCAL_PARTNER_KEYS'})`,
    )
    .join('\n');
const port = Number(values.port ?? process.env.PORT ?? 3000);
const dataDir = path.resolve(projectRoot, process.env.LOCAL_DATA_DIR ?? '.local');
const datasetDir = path.resolve(projectRoot, process.env.DATASET_DIR ?? '../shared/data/online-retail');
const bar = new SingleBar(
  { format: 'Seeding catalog [{bar}] {value}/{total} products', hideCursor: true },
  Presets.shades_classic,
);
let barStarted = false;
const indexBar = new SingleBar(
  { format: 'Indexing catalog for search [{bar}] {value}/{total} products', hideCursor: true },
  Presets.shades_classic,
);
let indexBarStarted = false;
let trainingStage: string | undefined;
let insightsStage: string | undefined;

// The platform's modules (the SDKs, the handlers, the emulators' libraries) take seconds to load: the emulators'
// processes start first (platform/early.ts), and the modules are loaded meanwhile.
const options: PlatformOptions = {
  port,
  dynamoPort: Number(process.env.DYNAMODB_PORT ?? 8000),
  cognitoPort: Number(process.env.COGNITO_PORT ?? 9229),
  sqsPort: Number(process.env.SQS_PORT ?? 9324),
  stepFunctionsPort: Number(process.env.STEPFUNCTIONS_PORT ?? 8083),
  kinesisPort: Number(process.env.KINESIS_PORT ?? 4567),
  lambdaPort: Number(process.env.LAMBDA_PORT ?? 9001),
  searchPort: Number(process.env.SEARCH_PORT ?? 9200),
  s3Port: Number(process.env.S3_PORT ?? 4569),
  eventBridgePort: Number(process.env.EVENTBRIDGE_PORT ?? 4010),
  sesPort: Number(process.env.SES_PORT ?? 8005),
  redshiftDataPort: Number(process.env.REDSHIFT_DATA_PORT ?? 9410),
  // Redshift's own port, for SQL clients; the read-only login's password is new each start unless given.
  warehousePort: Number(process.env.WAREHOUSE_PORT ?? 5439),
  warehousePassword: process.env.WAREHOUSE_PASSWORD,
  sweepEverySeconds: Number(process.env.LOCAL_SWEEP_SECONDS ?? 60),
  archiveEverySeconds: Number(process.env.LOCAL_ARCHIVE_SECONDS ?? 24 * 60 * 60),
  dataDir,
  fresh: Boolean(values.fresh),
  seed: values.seed ? 'dataset' : 'none',
  datasetDir,
  // Comma-separated; `http://localhost:*` and `http://127.0.0.1:*` when unset.
  corsAllowedOrigins: process.env.CORS_ALLOWED_ORIGINS,
  rateLimits: process.env.LOCAL_RATE_LIMITS === '1' ? DEFAULT_RATE_LIMITS : undefined,
  partnerKeys,
  log: (m) => console.log(m),
  onSeedProgress: (done, total) => {
    if (!barStarted) {
      bar.start(total, 0);
      barStarted = true;
    }
    bar.update(done);
    if (done === total) bar.stop();
  },
  onSearchIndexProgress: (done, total) => {
    if (!indexBarStarted) {
      indexBar.start(total, 0);
      indexBarStarted = true;
    }
    // The table's item count is an estimate: the bar grows if the scan finds more.
    if (done > indexBar.getTotal()) indexBar.setTotal(done);
    indexBar.update(done);
  },
  onRequest: values.quiet
    ? undefined
    : ({ method, path: p, status, ms }) => console.log(`${method} ${p} ${status} ${ms.toFixed(1)} ms`),
  // The model lives in LOCAL_DATA_DIR/model; without one, one is trained in the background.
  model: { port: Number(process.env.MODEL_PORT ?? 8080), variant: process.env.MODEL_VARIANT, train: true },
  // The demand-insights model lives in LOCAL_DATA_DIR/insights-model; without one, one is trained in the background too.
  // Its trainer is set once its module is loaded, below.
  insights: { port: Number(process.env.INSIGHTS_MODEL_PORT ?? 8081), train: true },
  onTrainProgress: ([stage]) => {
    // One line per training stage: the platform is serving meanwhile, and its request log must stay readable.
    if (typeof stage === 'string' && stage !== trainingStage)
      console.log(`model: training — ${(trainingStage = stage)}…`);
  },
  onInsightsTrainProgress: ([stage]) => {
    if (typeof stage === 'string' && stage !== insightsStage)
      console.log(`insights model: training — ${(insightsStage = stage)}…`);
  },
};
const early = startDatabasesEarly(options, port, options.log!);

try {
  const [{ startPlatform }, { trainInsightsInChild }] = await Promise.all([
    import('@ecicomm/local-platform/platform'),
    import('@ecicomm/local-platform/train-insights'),
  ]).catch(async (e: unknown) => {
    await early.stop();
    throw e;
  });
  options.insights!.trainer = trainInsightsInChild;
  const platform = await startPlatform({ ...options, early });
  if (indexBarStarted) indexBar.stop();
  // A fresh catalog gets a few product images through the real upload pipeline, once the platform is ready: shoppers
  // can use the catalog without them, and the pipeline's seconds of CPU would delay the start.
  const seedsImages = platform.seeded.source === 'dataset' || platform.seeded.source === 'demo';
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  // Loaded only when used: sharp's native library is tens of milliseconds of every restart otherwise.
  const { IMAGES_SEEDED, seedProductImages } = seedsImages
    ? await import('@ecicomm/local-platform/seed/product-images')
    : { IMAGES_SEEDED: 0, seedProductImages: undefined };
  const seeded =
    platform.seeded.source === 'existing'
      ? 'catalog already seeded (npm start -- --fresh to start over)'
      : platform.seeded.source === 'none'
        ? 'no catalog seeded'
        : `seeded ${platform.seeded.products} products from the ${platform.seeded.source === 'dataset' ? `dataset in ${datasetDir}` : 'demo catalog'}`;
  console.log(`
ECIComm local platform ready in ${seconds} s — ${seeded}

  API            ${platform.apiUrl}/v1   (OpenAPI: ${platform.apiUrl}/v1/openapi.json, docs: ${platform.apiUrl}/v1/docs, health: ${platform.apiUrl}/v1/health)
  Rate limits    ${process.env.LOCAL_RATE_LIMITS === '1' ? `on: ${describeRateLimits(DEFAULT_RATE_LIMITS)}` : 'off'}   (LOCAL_RATE_LIMITS=1)
  CORS           browser apps on ${platform.corsAllowedOrigins.join(', ') || 'no other origin'}   (CORS_ALLOWED_ORIGINS)
  DynamoDB Local ${platform.dynamoEndpoint}   (region ${platform.region}, access key "local"; this run's secret is in ${path.join(dataDir, 'runtime.json')})
  Cognito        ${platform.cognitoEndpoint}   (user pool ${platform.userPoolId}, app client ${platform.clientId})
  Step Functions ${platform.stepFunctionsEndpoint}   (checkout saga ${platform.orderSagaArn})
  SQS            ${platform.sqsEndpoint}   (compensation dead letters: ${platform.compensationDeadLetterQueueUrl})
  Kinesis        ${platform.kinesisEndpoint}   (clickstream: ${platform.clickstreamStream})
  EventBridge    ${platform.events.endpoint}   (bus ${platform.events.busName}, archived 30 days; domain events: docs/EVENTS.md)
  E-mails        ${platform.ses.inboxUrl}   (the local SES's inbox: order confirmations and cancellations; JSON at ${platform.ses.inboxUrl}store)
  S3             ${platform.s3.endpoint}   (s3rver, path-style; buckets ${Object.values(platform.s3.bucketNames).join(', ')})${seedsImages ? `\n  Images         being drawn for ${IMAGES_SEEDED} seeded products and sent through the upload pipeline now; a URL is logged when done` : ''}
  Lambda         ${platform.lambdaEndpoint}   (Invoke API: stream consumers, saga tasks, jobs by id; npm run replay / redrive use it)
  Search         ${platform.search.endpoint}   (OpenSearch API subset, SigV4; alias products → ${platform.search.index}; npm run search:reindex rebuilds it)
  Warehouse      ${platform.analytics.warehouseEndpoint}   (Redshift Data API over PGlite in ${platform.analytics.warehouseDir}, loaded by ${Object.keys(platform.analytics.consumers).length} stream consumers; on-failure queues in SQS)
  Warehouse SQL  ${platform.analytics.warehouseSql.url}   (Postgres protocol, read-only as ${platform.analytics.warehouseSql.user}: psql '${platform.analytics.warehouseSql.url}')
  Dashboard      ${platform.apiUrl}/dashboard   (analysts' page: sign in as the admin below)
  Model          ${platform.modelUrl}   (SageMaker contract: GET /ping, POST /invocations; ${modelStatus(platform, 'recommendations')})
  Insights model ${platform.insights.modelUrl}   (forecasts, segments, pricing; ${modelStatus(platform, 'insights')})
  Data           ${dataDir}

  Admin          ${platform.admin.email} / ${platform.admin.password}   (groups admin, analyst)
  Sign in:       curl -s ${platform.apiUrl}/v1/auth/login -H 'content-type: application/json' \\
                   -d '{"email":"${platform.admin.email}","password":"${platform.admin.password}"}'
${partnerLines(platform)}
  Partner feed:  curl -s '${platform.apiUrl}/v1/partner/products?limit=2' -H 'x-api-key: ${platform.partnerKeys[0].key}'

Press Ctrl-C to stop.`);

  const imagesSeeding = new AbortController();
  const images = seedProductImages
    ? seedProductImages(platform, (m) => console.log(m), imagesSeeding.signal).then(
        ([url]) =>
          url &&
          console.log(`images: ${url}   (a seeded product's 800 px WebP; POST /v1/products/{id}/images to add more)`),
        (e: unknown) =>
          imagesSeeding.signal.aborted || console.log(`images: seeding failed: ${(e as Error)?.message ?? String(e)}`),
      )
    : Promise.resolve();

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`\n${signal}: stopping the local platform…`);
    imagesSeeding.abort();
    await images;
    await platform.stop();
    console.log('Stopped.');
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
} catch (e) {
  if (barStarted) bar.stop();
  if (indexBarStarted) indexBar.stop();
  if (e instanceof PortInUseError) {
    console.error(e.message);
  } else {
    console.error('Could not start the local platform:', e instanceof Error ? e.message : e);
  }
  process.exit(EXIT.failed);
}
