/** What `startPlatform` takes and what it gives back. */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Route } from '../../routes';
import type { RateLimits } from '../../rate-limits';
import type { tables } from '../../tables';
import type { PartnerKey } from '../edge/api-keys';
import type { EdgeOptions } from '../edge/server';
import type { LocalModelOptions, LocalRecommendations, StartContext } from '../recommendations';
import type { InsightsStartContext, LocalInsights, LocalInsightsOptions } from '../insights-model';
import type { AnalyticsPipeline, LocalWarehouse } from '../analytics';
import type { CatalogIndexing } from '../search-platform/index-catalog';
import type { EarlyDatabases } from './early';
import type { LocalS3 } from '../s3/server';
import type { LocalEventBus } from '../eventbridge/platform';
import type { LocalSes } from '../ses/server';

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
  /** The local EventBridge's port (default 4010, EVENTBRIDGE_PORT). */
  eventBridgePort?: number;
  /** The S3 emulator's port (default 4569, S3_PORT). */
  s3Port?: number;
  /** The local SES (aws-ses-v2-local) and its web inbox's port (default 8005, SES_PORT). */
  sesPort?: number;
  /** The local search engine's port (default 9200, SEARCH_PORT). */
  searchPort?: number;
  /** The local Redshift Data API (lib/local/redshift-data); by default any free port. */
  redshiftDataPort?: number;
  /** The warehouse for SQL clients, over the Postgres protocol (lib/local/warehouse-wire); by default any free port. */
  warehousePort?: number;
  /** The read-only SQL login's password; a new one each start when absent. */
  warehousePassword?: string;
  /** How often the settlement pass runs (seconds; LOCAL_SWEEP_SECONDS); 0 turns the timer off (tests settle on demand). */
  sweepEverySeconds?: number;
  /** How often the archive of old orders runs (seconds; LOCAL_ARCHIVE_SECONDS; daily by default); 0 turns the timer off. */
  archiveEverySeconds?: number;
  /** Where emulators keep their data; undefined keeps DynamoDB in memory (tests). */
  dataDir: string;
  /** The data directory prepared and the emulators started already, with these options (`npm start`: ./early.ts). */
  early?: EarlyDatabases;
  persist?: boolean;
  fresh?: boolean;
  /** 'dataset' reads DATASET_DIR (demo catalog when absent); 'demo' forces the demo catalog; 'none' seeds nothing. */
  seed?: 'dataset' | 'demo' | 'none';
  datasetDir?: string;
  admin?: { email: string; password: string };
  routes?: Route[];
  /**
   * Browser origins allowed to call the API (CORS_ALLOWED_ORIGINS for `npm start`): `scheme://host[:port]` or
   * `scheme://host:*`, a list or one comma-separated string; DEFAULT_CORS_ORIGINS when absent.
   */
  corsAllowedOrigins?: string | readonly string[];
  log?: (message: string) => void;
  onSeedProgress?: (done: number, total: number) => void;
  /** Progress of loading the products index from the table (a fresh start, or a new mapping version). */
  onSearchIndexProgress?: (done: number, total: number) => void;
  onRequest?: EdgeOptions['onRequest'];
  /**
   * The partners' API keys, which partner routes require (LOCAL_PARTNER_KEYS for `npm start`); when absent, one new
   * key of partner `local-partner` per start.
   */
  partnerKeys?: readonly PartnerKey[];
  /** Rate limits by client class enforced at the edge (lib/rate-limits.ts; LOCAL_RATE_LIMITS=1); off when absent. */
  rateLimits?: RateLimits;
  /** The model server and its model (lib/local/recommendations.ts); by default a free port and no training. */
  model?: LocalModelOptions;
  onTrainProgress?: StartContext['onTrainProgress'];
  /**
   * The demand-insights model server and its model (lib/local/insights-model.ts); by default a free port, no
   * training. `model.endpointUrl`, when set, stands in front of both endpoints (there is one SageMaker runtime).
   */
  insights?: LocalInsightsOptions;
  onInsightsTrainProgress?: InsightsStartContext['onTrainProgress'];
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
  /** The partners' API keys the edge accepts on partner routes (x-api-key). */
  partnerKeys: readonly PartnerKey[];
  tableNames: Record<keyof typeof tables, string>;
  /** The browser origins allowed to call the API, as configured (`http://localhost:*`…). */
  corsAllowedOrigins: string[];
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
  /** s3rver: its endpoint, the platform's buckets, and the object events bucket notifications deliver. */
  s3: Pick<LocalS3, 'endpoint' | 'bucketNames' | 'events'>;
  /** The local EventBridge and the domain events bus; `idle()` resolves once every delivery so far has settled. */
  events: Pick<LocalEventBus, 'endpoint' | 'busName' | 'idle' | 'stats'>;
  /** The local SES the e-mails go to, and its web inbox (e-mails as JSON at `${inboxUrl}store`). */
  ses: Pick<LocalSes, 'endpoint' | 'inboxUrl'>;
  /** The model server: the SageMaker endpoint's local stand-in. */
  modelUrl: string;
  /** Whether a model is served yet (`served()` resolves with its version once it is). */
  recommendations: Pick<LocalRecommendations, 'state' | 'served' | 'modelDir'>;
  /** The demand-insights model server (the second endpoint's stand-in) and whether a model is served yet. */
  insights: Pick<LocalInsights, 'state' | 'served' | 'modelDir' | 'modelUrl'>;
  /**
   * The SageMaker runtime the functions call (AWS_ENDPOINT_URL_SAGEMAKER_RUNTIME, unless `model.endpointUrl` stands
   * in front of it): POST /endpoints/{name}/invocations for both endpoints.
   */
  sagemakerRuntimeUrl: string;
  /**
   * The stream consumers (lib/stream-consumers.ts) behind local event source mappings: `caughtUp()` resolves once
   * every table stream and shard has been loaded into the warehouse as far as it was written at the call.
   */
  analytics: Pick<AnalyticsPipeline, 'caughtUp' | 'stats' | 'failureQueueUrls' | 'consumers'> & {
    warehouseDir: string;
    warehouseEndpoint: string;
    /** SQL clients' read-only way into the warehouse: postgres://analytics_reader:…@127.0.0.1:port/ecicomm. */
    warehouseSql: LocalWarehouse['sql'];
  };
  /** The Lambda Invoke API serving the consumers, saga tasks and scheduled jobs by id (lib/local/lambda/). */
  lambdaEndpoint: string;
  /** The local search engine (OpenSearch's REST subset) and the products index behind its alias. */
  search: { endpoint: string } & CatalogIndexing;
  /** Resolves when no saga execution is running. */
  sagasIdle(timeoutMs?: number): Promise<void>;
  /** Runs the settlement pass once, now. */
  sweep(): Promise<unknown>;
  /** Runs the archive of old orders once, now (functions/orders/archive): its report. */
  archiveOrders(): Promise<unknown>;
  stop(): Promise<void>;
}
