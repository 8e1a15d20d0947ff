import { CfnOutput, Fn, NestedStack, Stack, Stage, type StackProps, type StageProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { Analytics } from '../contexts/analytics';
import { Api } from '../contexts/api';
import { Audit } from '../contexts/audit';
import { Checkout } from '../contexts/checkout';
import { Data } from '../contexts/data';
import { Backup } from '../contexts/backup';
import { OrderArchive } from '../contexts/order-archive';
import { DomainEvents } from '../contexts/events';
import { Notifications } from '../contexts/notifications';
import { Recommendations } from '../contexts/recommendations';
import { InsightsModel } from '../contexts/insights-model';
import { Search } from '../contexts/search';
import { Identity } from '../contexts/users';
import { Images } from '../contexts/images';
import { Operations } from '../contexts/operations';
import { STAGE_NAME } from '../contexts/api';
import { RATE_LIMITS_CONTEXT, rateLimitsWith, type RateLimits } from '../rate-limits';
import { routes as allRoutes, type Route } from '../routes';
import { SmokeTestProduct } from './smoke-test-product';

export interface EciCommStackProps extends StackProps {
  /** Prefix of physical names (tables, user pool, API, web ACL), e.g. `ecicomm-prod`; lower case. */
  readonly namePrefix: string;
  /** The route table to serve; tests may pass a subset. */
  readonly routes?: readonly Route[];
  /** Browser origins allowed to call the API (context `ecicomm:corsAllowedOrigins`); none by default. */
  readonly corsAllowedOrigins?: readonly string[];
  /** A second region every table backup is copied to (context `backupCopyRegion`); none by default. */
  readonly backupCopyRegion?: string;
  /**
   * The address the shopper's e-mails come from (context `sesFromAddress`), and the domain SES verifies for it
   * (context `sesDomain`; the address alone otherwise). Without one, `no-reply@example.com`: it deploys, but SES
   * sends nothing until a real sender is verified.
   */
  readonly sesFromAddress?: string;
  readonly sesDomain?: string;
  /**
   * Rate limits by client class (lib/rate-limits.ts); by default DEFAULT_RATE_LIMITS with the stage's overrides
   * from context `ecicomm:rateLimits` (`{"Prod": {"anonymous": {"rateLimit": 10}}}`).
   */
  readonly rateLimits?: RateLimits;
  /** Partner API clients, each given an API key (context `ecicomm:partnerClients`: `{"Prod": ["acme"]}`). */
  readonly partnerClients?: readonly string[];
  /**
   * Who gets the stage's alarms by e-mail: the stage's `alarmEmail` in context `ecicomm:stages` (the app passes it),
   * else context `ecicomm:alarmEmail` (an address, or stage → address).
   */
  readonly alarmEmail?: string;
}

export const PARTNER_CLIENTS_CONTEXT = 'ecicomm:partnerClients';

const parseContextJson = (key: string, text: string): unknown => {
  try {
    return JSON.parse(text);
  } catch {
    throw new Error(`${key} must be JSON: an object of stage → value, e.g. {"Prod": ...}`);
  }
};

const partnerClientsOf = (value: unknown): readonly string[] => {
  if (value === undefined) return [];
  if (!Array.isArray(value) || value.some((v) => typeof v !== 'string'))
    throw new Error(`${PARTNER_CLIENTS_CONTEXT}: a stage's partners must be a list of names`);
  return value as string[];
};

/** example.com is reserved (RFC 2606): a stage without its own sender deploys, and mails no one. */
const DEFAULT_SENDER = 'no-reply@example.com';

/** The whole platform of one stage: every context's resources, composed. */
export class EciCommStack extends Stack {
  readonly data: Data;
  readonly identity: Identity;
  readonly checkout: Checkout;
  readonly recommendations: Recommendations;
  /** The demand-insights model's serverless endpoint (same container as recommendations), in a nested stack. */
  readonly insightsModel: InsightsModel;
  readonly analytics: Analytics;
  readonly search: Search;
  readonly events: DomainEvents;
  readonly notifications: Notifications;
  readonly audit: Audit;
  readonly api: Api;
  readonly orderArchive: OrderArchive;
  readonly backup: Backup;
  readonly images: Images;
  /** The nested stack of the contexts nothing else refers to. */
  readonly downstream: NestedStack;
  /** The stage's dashboard, alarms and alarm topic, in a nested stack of their own. */
  readonly operations: Operations;

  constructor(scope: Construct, id: string, props: EciCommStackProps) {
    super(scope, id, { description: 'ECIComm serverless e-commerce platform', ...props });
    if (!/^[a-z][a-z0-9-]{2,40}$/.test(props.namePrefix)) {
      throw new Error(`namePrefix must be 3-41 lower-case letters, digits or dashes, got "${props.namePrefix}"`);
    }

    this.data = new Data(this, 'Data', { namePrefix: props.namePrefix });
    this.identity = new Identity(this, 'Identity', { namePrefix: props.namePrefix });
    this.orderArchive = new OrderArchive(this, 'OrderArchive', { namePrefix: props.namePrefix });
    this.images = new Images(this, 'Images', {
      tables: this.data.tables,
      corsAllowedOrigins: props.corsAllowedOrigins,
    });
    // Each function is granted the buckets its definition names, and no other (./contexts/function-buckets.ts).
    const buckets = { orderArchive: this.orderArchive.bucket, images: this.images.bucket };
    // CloudFormation takes at most 500 resources a stack: what nothing else in the stage refers to — the domain
    // events, the backups, the audit trail's archive and recorder — is a nested stack of its own.
    this.downstream = new NestedStack(this, 'Downstream', {
      description:
        'ECIComm domain events and notifications, backups and the audit trail: what the rest of the stage does not refer to',
    });
    this.backup = new Backup(this.downstream, 'Backup', {
      namePrefix: props.namePrefix,
      tables: this.data.tables,
      copyRegion: props.backupCopyRegion ?? (this.node.tryGetContext('backupCopyRegion') as string | undefined),
    });
    this.checkout = new Checkout(this, 'Checkout', { namePrefix: props.namePrefix, tables: this.data.tables, buckets });
    this.recommendations = new Recommendations(this, 'Recommendations', { namePrefix: props.namePrefix });
    const { imageRepository, imageTag } = this.recommendations.parameters;
    this.insightsModel = new InsightsModel(this, 'InsightsModel', {
      namePrefix: props.namePrefix,
      image: { repositoryName: imageRepository.valueAsString, tag: imageTag.valueAsString },
    });
    this.analytics = new Analytics(this, 'Analytics', { namePrefix: props.namePrefix, tables: this.data.tables });
    this.search = new Search(this, 'Search', { namePrefix: props.namePrefix, tables: this.data.tables });
    this.notifications = new Notifications(this.downstream, 'Notifications', {
      namePrefix: props.namePrefix,
      fromAddress:
        props.sesFromAddress ?? (this.node.tryGetContext('sesFromAddress') as string | undefined) ?? DEFAULT_SENDER,
      domain: props.sesDomain ?? (this.node.tryGetContext('sesDomain') as string | undefined),
    });
    this.events = new DomainEvents(this.downstream, 'Events', {
      namePrefix: props.namePrefix,
      tables: this.data.tables,
      email: this.notifications.sender,
    });
    // The audit stream stays here, beside the routes that write it.
    this.audit = new Audit(this.downstream, 'Audit', {
      namePrefix: props.namePrefix,
      tables: this.data.tables,
      streamScope: this,
    });
    this.api = new Api(this, 'Api', {
      namePrefix: props.namePrefix,
      routes: props.routes ?? allRoutes,
      tables: this.data.tables,
      buckets,
      streams: { ...this.analytics.streams, audit: this.audit.stream },
      identity: this.identity,
      saga: this.checkout.stateMachine,
      modelEndpoint: this.recommendations.invokeTarget,
      insightsEndpoint: this.insightsModel.invokeTarget,
      warehouse: this.analytics.warehouse.target,
      search: this.search.target,
      corsAllowedOrigins: props.corsAllowedOrigins,
      rateLimits: props.rateLimits ?? rateLimitsWith(this.stageContext(RATE_LIMITS_CONTEXT)),
      partnerClients: props.partnerClients ?? partnerClientsOf(this.stageContext(PARTNER_CLIENTS_CONTEXT)),
    });

    this.addOutputs();

    // Last, so that it watches everything above.
    this.operations = this.buildOperations(props);
  }

  /** The stage's dashboard, alarms and canaries: nested, as what they watch grows with every function and table. */
  private buildOperations(props: EciCommStackProps): Operations {
    return new Operations(
      new NestedStack(this, 'Operations', {
        description: 'ECIComm operations: dashboard, alarms, alarm topic, canary deployments',
      }),
      'Operations',
      {
        namePrefix: props.namePrefix,
        stage: this,
        api: {
          restApiName: this.api.restApi.restApiName,
          stageName: STAGE_NAME,
          methods: this.api.methods,
          liveAliases: this.api.liveAliases,
        },
        saga: this.checkout.stateMachine,
        alarmEmail: props.alarmEmail,
      },
    );
  }

  /** This stage's entry (`Dev`, `Prod`) of a per-stage context key, which may also be given as JSON text. */
  private stageContext(key: string): unknown {
    const value: unknown = this.node.tryGetContext(key);
    const byStage: unknown = typeof value === 'string' ? parseContextJson(key, value) : value;
    const stageName = Stage.of(this)?.stageName;
    if (byStage === undefined || stageName === undefined) return undefined;
    if (typeof byStage !== 'object' || byStage === null) throw new Error(`${key} must be an object of stage → value`);
    return (byStage as Record<string, unknown>)[stageName];
  }
  /** What operators and clients need to find in the deployed stage. */
  private addOutputs(): void {
    new CfnOutput(this, 'ApiUrl', { value: this.api.restApi.url, description: 'Base URL of the v1 stage' });
    new CfnOutput(this, 'ImagesBaseUrl', {
      value: this.images.publicBaseUrl,
      description: 'CloudFront root of the product image variants (imageUrls start with it)',
    });
    new CfnOutput(this, 'UserPoolId', { value: this.identity.userPool.userPoolId });
    new CfnOutput(this, 'UserPoolClientId', { value: this.identity.userPoolClient.userPoolClientId });
    new CfnOutput(this, 'OrderSagaArn', { value: this.checkout.stateMachine.stateMachineArn });
    new CfnOutput(this, 'CompensationDeadLetterQueueUrl', { value: this.checkout.deadLetterQueue.queueUrl });
    new CfnOutput(this, 'RecommendationsEndpointName', {
      value: this.recommendations.endpoint.attrEndpointName,
      description: 'SageMaker endpoint serving the recommendation model (variants A/B)',
    });
    new CfnOutput(this, 'InsightsEndpointName', {
      value: this.insightsModel.invokeTarget.endpointName,
      description: 'SageMaker serverless endpoint serving the demand-insights model (forecasts, segments, pricing)',
    });
    new CfnOutput(this, 'ClickstreamStreamName', {
      value: this.analytics.clickstream.streamName,
      description: 'Kinesis stream of POST /v1/events',
    });
    new CfnOutput(this, 'EventBusName', {
      value: this.events.bus.eventBusName,
      description: 'EventBridge bus of the domain events (docs/EVENTS.md)',
    });
    new CfnOutput(this, 'AlarmTopicArn', {
      value: this.checkout.alarmTopic.topicArn,
      description: 'Subscribe on-call to checkout alarms here',
    });
    new CfnOutput(this, 'AnalyticsAlarmTopicArn', {
      value: this.analytics.alarmTopic.topicArn,
      description: 'Subscribe on-call to analytics alarms (consumers falling behind, records failing to load)',
    });
    new CfnOutput(this, 'WarehouseWorkgroupName', {
      value: this.analytics.warehouse.target.workgroupName,
      description: 'Redshift Serverless workgroup of the analytics warehouse',
    });
    new CfnOutput(this, 'WarehouseDatabase', { value: this.analytics.warehouse.target.database });
    new CfnOutput(this, 'WarehouseSecretArn', {
      value: this.analytics.warehouse.secretArn,
      description: 'Secrets Manager secret (managed by Redshift) with the warehouse admin credentials',
    });
    new CfnOutput(this, 'SearchDomainEndpoint', {
      value: this.search.target.endpoint,
      description: "OpenSearch Service domain of the product search (IAM access: only the search functions' roles)",
    });
    if (this.search.reindexPolicy) {
      new CfnOutput(this, 'SearchReindexPolicyArn', {
        value: this.search.reindexPolicy.managedPolicyArn,
        description:
          'Attach to the operator role that runs npm run search:reindex -- --prefix <stage> --endpoint <SearchDomainEndpoint>',
      });
    }
    new CfnOutput(this, 'SearchAlarmTopicArn', {
      value: this.search.alarmTopic.topicArn,
      description: 'Subscribe on-call to search alarms (cluster health, storage, memory, the indexer falling behind)',
    });
    new CfnOutput(this, 'AuditBucketName', {
      value: this.audit.bucket.bucketName,
      description: 'The archived audit trail: gzipped JSON lines under audit/yyyy/mm/dd/ (Glacier after 90 days)',
    });
    new CfnOutput(this, 'AnalyticsDashboardId', {
      value: this.analytics.dashboards.dashboard.dashboardId,
      description: 'QuickSight dashboard of the analysts',
    });
  }

  /**
   * Three zones, named by CloudFormation at deployment: Redshift Serverless needs subnets in three, the
   * environment-agnostic default is two, and a lookup would need credentials at synthesis.
   */
  override get availabilityZones(): string[] {
    return [0, 1, 2].map((i) => Fn.select(i, Fn.getAzs()));
  }
}

export interface EciCommStageProps extends StageProps {
  readonly namePrefix: string;
  /** Browser origins allowed to call this stage's API. */
  readonly corsAllowedOrigins?: readonly string[];
  /** Where the stage's alarms are mailed. */
  readonly alarmEmail?: string;
  /** Whether the stage holds the product the smoke test buys (never in Prod: lib/stacks/eci-comm-app.ts). */
  readonly smokeTestProduct?: boolean;
}

/** One deployable copy of the platform (dev, staging, prod); the pipeline deploys stages, not stacks. */
export class EciCommStage extends Stage {
  readonly platform: EciCommStack;
  /** The API's base URL output, which the pipeline's smoke test reads. */
  readonly apiUrlOutput: CfnOutput;

  constructor(scope: Construct, id: string, props: EciCommStageProps) {
    super(scope, id, props);
    this.platform = new EciCommStack(this, 'Platform', {
      namePrefix: props.namePrefix,
      stackName: `${props.namePrefix}-platform`,
      corsAllowedOrigins: props.corsAllowedOrigins,
      alarmEmail: props.alarmEmail,
    });
    this.apiUrlOutput = this.platform.node.findChild('ApiUrl') as CfnOutput;
    if (props.smokeTestProduct) {
      // In the nested stack: the platform stack is near CloudFormation's 500 resources, the nested one is not.
      new SmokeTestProduct(this.platform.downstream, 'SmokeTestProduct', { tables: this.platform.data.tables });
    }
  }
}
