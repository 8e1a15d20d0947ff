import { Duration, Lazy, RemovalPolicy, Stack, Token, Validations } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { Alarm, ComparisonOperator, TreatMissingData, type IMetric } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { EbsDeviceVolumeType } from 'aws-cdk-lib/aws-ec2';
import { ManagedPolicy, PolicyDocument, PolicyStatement, ServicePrincipal, type IRole } from 'aws-cdk-lib/aws-iam';
import { CfnResourcePolicy, LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { CfnDomain, Domain, EngineVersion, TLSSecurityPolicy } from 'aws-cdk-lib/aws-opensearchservice';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import type { SearchAccess } from '../function-spec';
import { searchConsumers as allSearchConsumers, type SearchConsumer } from '../search';
import { reindexPermissions, searchIamAction, searchPermissions } from '../search-access';
import type { TableKey } from '../tables';
import { AlarmTopic } from './alarm-topic';
import type { SearchTarget } from './platform-function';
import { StreamConsumers, type BuiltConsumer } from './stream-consumers';

/** The domain's nodes: data nodes spread over the zones, and dedicated cluster managers (masters). */
export interface SearchCapacity {
  /** A multiple of `zones` (default 3 × `m7g.large.search`). */
  readonly dataNodes: number;
  readonly dataNodeInstanceType: string;
  /** 3 (a quorum that survives a zone) or 0 for none (default 3 × `m7g.large.search`). */
  readonly masterNodes: number;
  readonly masterNodeInstanceType: string;
  /** gp3 storage per data node, GiB (default 20). */
  readonly volumeSizeGiB: number;
  /** Availability zones the data nodes and replicas spread over: 2 or 3 (default 3). */
  readonly zones: 2 | 3;
}

export const DEFAULT_SEARCH_CAPACITY: SearchCapacity = {
  dataNodes: 3,
  dataNodeInstanceType: 'm7g.large.search',
  masterNodes: 3,
  // AWS's recommended smallest dedicated manager for up to 10 data nodes.
  masterNodeInstanceType: 'm7g.large.search',
  volumeSizeGiB: 20,
  zones: 3,
};

export interface SearchProps {
  /** The domain is `${namePrefix}-search` (OpenSearch allows 28 characters); alarms and log groups carry the prefix too. */
  readonly namePrefix: string;
  /** Every table of the app: the indexer reads the products table's stream, the reindex scans the table. */
  readonly tables: Readonly<Partial<Record<TableKey, ITable>>>;
  /** The indexers to build; lib/search.ts's by default. */
  readonly consumers?: readonly SearchConsumer[];
  /**
   * An indexer whose oldest record waited longer than this (Maximum over 5 minutes) is falling behind; default 30 s,
   * against the contract's "searchable within 5 s": a few retried batches pass, a stuck shard does not.
   */
  readonly indexerIteratorAgeThreshold?: Duration;
  readonly capacity?: Partial<SearchCapacity>;
  /** Alarms notify this topic; the context makes its own (`${namePrefix}-search-alarms`) otherwise. */
  readonly alarmTopic?: ITopic;
  /** Slow and error logs' retention (default one month, like the functions' logs). */
  readonly logRetention?: RetentionDays;
  /**
   * Default DESTROY: the indexes are derived data — the products table is the record, and a reindex rebuilds
   * them — and a retained domain bills by the hour.
   */
  readonly removalPolicy?: RemovalPolicy;
}

/** One alarm per way the engine can fail the shoppers or the indexer. */
export interface SearchAlarms {
  readonly clusterRed: Alarm;
  readonly clusterYellow: Alarm;
  readonly freeStorage: Alarm;
  readonly writesBlocked: Alarm;
  readonly jvmMemoryPressure: Alarm;
  readonly masterJvmMemoryPressure?: Alarm;
}

/** An admitted role with its access level, as the domain access policy lists it. */
export interface SearchAdmission {
  readonly role: IRole;
  readonly access: SearchAccess;
  readonly functionId: string;
}

/**
 * The search context's engine in AWS: an Amazon OpenSearch Service domain (not Serverless: the search context
 * needs `_cluster/health`, `_refresh`, external versions and the cluster metrics the alarms watch — see the
 * README's "Search in AWS"), with
 * - encryption at rest (the AWS-managed key), node-to-node encryption, HTTPS only with TLS 1.2+ and forward secrecy;
 * - IAM access only: every request is SigV4-signed, and the domain access policy names each function's role with
 *   exactly the methods and paths of its access level (lib/search-access.ts); nothing else is allowed;
 * - search slow logs, index slow logs and error logs in CloudWatch Logs with a retention;
 * - alarms on cluster status red and yellow, free storage, blocked writes and JVM memory pressure;
 * - the indexer of lib/search.ts on the products table's stream (function, event source mapping, on-failure queue,
 *   alarms on its iterator age and on failures waiting), built like every stream consumer.
 *
 * Functions get the engine through `target` (PlatformFunctionProps.search), which also admits their roles.
 */
export class Search extends Construct {
  readonly domain: Domain;
  readonly domainName: string;
  /** What a function needs to use the engine: OPENSEARCH_ENDPOINT, OPENSEARCH_SIGNING_SERVICE, admission. */
  readonly target: SearchTarget;
  readonly alarmTopic: ITopic;
  readonly alarms: SearchAlarms;
  readonly logGroups: { readonly searchSlow: LogGroup; readonly indexSlow: LogGroup; readonly errors: LogGroup };
  /** The products-stream indexers by id, with their on-failure queues and iterator-age and failure alarms. */
  readonly consumers: ReadonlyMap<string, BuiltConsumer>;
  /**
   * For the operator who runs the reindex (`npm run search:reindex`) against this stage: attach it to their role.
   * The reindex's requests on this domain, and the products table's scan and count; nothing else.
   */
  readonly reindexPolicy?: ManagedPolicy;
  private readonly admissions: SearchAdmission[] = [];

  constructor(scope: Construct, id: string, props: SearchProps) {
    super(scope, id);
    const capacity = { ...DEFAULT_SEARCH_CAPACITY, ...props.capacity };
    validateCapacity(capacity);
    this.domainName = `${props.namePrefix}-search`;
    if (!/^[a-z][a-z0-9-]{2,27}$/.test(this.domainName)) {
      throw new Error(
        `The search domain name ${this.domainName} must be 3-28 lower-case letters, digits or dashes: use a shorter namePrefix`,
      );
    }
    const stack = Stack.of(this);
    const domainArn = stack.formatArn({ service: 'es', resource: 'domain', resourceName: this.domainName });

    const { logGroups, logsPolicy } = this.buildLogGroups(props.logRetention ?? RetentionDays.ONE_MONTH, domainArn);
    this.logGroups = logGroups;
    this.domain = this.buildDomain(capacity, props.removalPolicy ?? RemovalPolicy.DESTROY, domainArn);
    // OpenSearch checks at creation that it may write to the log groups.
    this.domain.node.addDependency(logsPolicy);

    this.target = {
      endpoint: `https://${this.domain.domainEndpoint}`,
      signingService: 'es',
      admit: (role, access, functionId) => {
        if (this.admissions.some((a) => a.role === role))
          throw new Error(`${functionId}'s role is already admitted to the search domain`);
        this.admissions.push({ role, access, functionId });
      },
    };

    this.alarmTopic =
      props.alarmTopic ??
      new AlarmTopic(this, 'Alarms', {
        namePrefix: props.namePrefix,
        name: 'search-alarms',
        displayName: 'ECIComm search alarms',
      }).topic;
    this.alarms = this.buildAlarms(props.namePrefix, capacity);
    this.consumers = new StreamConsumers(this, 'Indexers', {
      namePrefix: props.namePrefix,
      consumers: props.consumers ?? allSearchConsumers,
      tables: props.tables,
      search: this.target,
      alarmTopic: this.alarmTopic,
      iteratorAgeThreshold: props.indexerIteratorAgeThreshold ?? Duration.seconds(30),
    }).consumers;
    if (props.tables.products)
      this.reindexPolicy = this.buildReindexPolicy(props.namePrefix, props.tables.products, domainArn);
    this.acknowledgeNagFindings();
  }

  /** Slow-search, slow-index and error logs, and the resource policy that lets this domain (only) write them. */
  private buildLogGroups(retention: RetentionDays, domainArn: string) {
    const stack = Stack.of(this);
    const logGroups = {
      searchSlow: new LogGroup(this, 'SearchSlowLogs', { retention }),
      indexSlow: new LogGroup(this, 'IndexSlowLogs', { retention }),
      errors: new LogGroup(this, 'ErrorLogs', { retention }),
    };
    // OpenSearch Service writes the logs with its service principal; a CloudFormation resource policy instead of the
    // construct's own custom resource (a Lambda function of its own), limited to this domain of this account.
    const logsPolicy = new CfnResourcePolicy(this, 'LogsResourcePolicy', {
      policyName: `${this.domainName}-logs`,
      policyDocument: stack.toJsonString(
        new PolicyDocument({
          statements: [
            new PolicyStatement({
              principals: [new ServicePrincipal('es.amazonaws.com')],
              actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
              resources: Object.values(logGroups).map((group) => group.logGroupArn),
              conditions: {
                StringEquals: { 'aws:SourceAccount': stack.account },
                ArnLike: { 'aws:SourceArn': domainArn },
              },
            }),
          ],
        }).toJSON(),
      ),
    });
    return { logGroups, logsPolicy };
  }

  private buildDomain(capacity: SearchCapacity, removalPolicy: RemovalPolicy, domainArn: string): Domain {
    const domain = new Domain(this, 'Domain', {
      domainName: this.domainName,
      version: EngineVersion.OPENSEARCH_2_19,
      // A version change upgrades in place instead of replacing the domain (and emptying the index).
      enableVersionUpgrade: true,
      capacity: {
        dataNodes: capacity.dataNodes,
        dataNodeInstanceType: capacity.dataNodeInstanceType,
        ...(capacity.masterNodes > 0
          ? { masterNodes: capacity.masterNodes, masterNodeInstanceType: capacity.masterNodeInstanceType }
          : {}),
      },
      zoneAwareness: { enabled: true, availabilityZoneCount: capacity.zones },
      ebs: { volumeSize: capacity.volumeSizeGiB, volumeType: EbsDeviceVolumeType.GP3 },
      encryptionAtRest: { enabled: true },
      nodeToNodeEncryption: true,
      enforceHttps: true,
      tlsSecurityPolicy: TLSSecurityPolicy.TLS_1_2_PFS,
      logging: {
        slowSearchLogEnabled: true,
        slowSearchLogGroup: this.logGroups.searchSlow,
        slowIndexLogEnabled: true,
        slowIndexLogGroup: this.logGroups.indexSlow,
        appLogEnabled: true,
        appLogGroup: this.logGroups.errors,
      },
      suppressLogsResourcePolicy: true,
      // Service software updates and blue/green changes in the quiet hours (the default window, 22:00 local).
      offPeakWindowEnabled: true,
      enableAutoSoftwareUpdate: true,
      removalPolicy,
    });
    const cfnDomain = domain.node.defaultChild as CfnDomain;
    // Set on the domain itself, not through the construct's access-policy custom resource: the statements name
    // roles, and roles never depend on the domain, so CloudFormation needs no second step.
    cfnDomain.accessPolicies = Lazy.any({ produce: () => this.accessPolicy(domainArn) });
    return domain;
  }

  private buildReindexPolicy(namePrefix: string, products: ITable, domainArn: string): ManagedPolicy {
    const policy = new ManagedPolicy(this, 'ReindexPolicy', {
      managedPolicyName: `${namePrefix}-search-reindex`,
      description: `Lets an operator rebuild the products index of ${this.domainName} from the products table (npm run search:reindex)`,
      statements: [
        ...reindexPermissions.map(
          (p) =>
            new PolicyStatement({
              actions: p.methods.map(searchIamAction),
              resources: p.paths.map((path) => `${domainArn}/${path}`),
            }),
        ),
        new PolicyStatement({ actions: ['dynamodb:Scan', 'dynamodb:DescribeTable'], resources: [products.tableArn] }),
      ],
    });
    const stack = Stack.of(this);
    const shown = (value: string, token: string) => (Token.isUnresolved(value) ? `<${token}>` : value);
    const arnAsNagShowsIt = `arn:<AWS::Partition>:es:${shown(stack.region, 'AWS::Region')}:${shown(stack.account, 'AWS::AccountId')}:domain/${this.domainName}`;
    for (const path of new Set(reindexPermissions.flatMap((p) => p.paths).filter((path) => path.includes('*')))) {
      Validations.of(policy).acknowledge({
        id: `AwsSolutions-IAM5[Resource::${arnAsNagShowsIt}/${path}]`,
        reason: `The reindex names each new concrete index by its mapping version and start time (products-v<n>-<timestamp>), so it may create, refresh and delete any index of that name on the search domain, and no other index or domain.`,
      });
    }
    return policy;
  }

  /** Every role admitted so far, with its access level. */
  get admitted(): readonly SearchAdmission[] {
    return this.admissions;
  }

  private accessPolicy(domainArn: string) {
    // No function admitted (a stack built with a subset of the routes): nobody may use the domain.
    if (this.admissions.length === 0) {
      return {
        Version: '2012-10-17',
        Statement: [
          {
            Sid: 'NobodyAdmitted',
            Effect: 'Deny',
            Principal: { AWS: '*' },
            Action: 'es:ESHttp*',
            Resource: `${domainArn}/*`,
          },
        ],
      };
    }
    return {
      Version: '2012-10-17',
      Statement: this.admissions.flatMap(({ role, access, functionId }) =>
        searchPermissions[access].map((permission, i) => ({
          Sid: `${functionId.replace(/[^A-Za-z0-9]/g, '')}${access}${i}`,
          Effect: 'Allow',
          Principal: { AWS: role.roleArn },
          Action: permission.methods.map(searchIamAction),
          Resource: permission.paths.map((path) => `${domainArn}/${path}`),
        })),
      ),
    };
  }

  private buildAlarms(namePrefix: string, capacity: SearchCapacity): SearchAlarms {
    const oneMinute = Duration.minutes(1);
    const alarm = (
      id: string,
      name: string,
      description: string,
      metric: IMetric,
      threshold: number,
      evaluationPeriods: number,
      comparison = ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    ) => {
      const created = new Alarm(this, id, {
        alarmName: `${namePrefix}-search-${name}`,
        alarmDescription: description,
        metric,
        threshold,
        evaluationPeriods,
        comparisonOperator: comparison,
        // A domain that stops reporting is not healthy: no data is not "OK".
        treatMissingData: TreatMissingData.MISSING,
      });
      created.addAlarmAction(new SnsAction(this.alarmTopic));
      return created;
    };
    // Thresholds and periods are AWS's recommended CloudWatch alarms for OpenSearch Service.
    const freeStorageMiB = Math.floor(capacity.volumeSizeGiB * 1024 * 0.25);
    return {
      clusterRed: alarm(
        'ClusterRed',
        'cluster-red',
        `${this.domainName}: a primary shard is unassigned — searches miss products and the indexer's writes to it fail.`,
        this.domain.metricClusterStatusRed({ period: oneMinute, statistic: 'Maximum' }),
        1,
        1,
      ),
      clusterYellow: alarm(
        'ClusterYellow',
        'cluster-yellow',
        `${this.domainName}: replica shards unassigned for 5 minutes — one more node lost loses data.`,
        this.domain.metricClusterStatusYellow({ period: oneMinute, statistic: 'Maximum' }),
        1,
        5,
      ),
      freeStorage: alarm(
        'FreeStorage',
        'free-storage',
        `${this.domainName}: a data node has under 25 % (${freeStorageMiB} MiB) of its storage free; at 5 % OpenSearch blocks writes.`,
        this.domain.metricFreeStorageSpace({ period: oneMinute, statistic: 'Minimum' }),
        freeStorageMiB,
        1,
        ComparisonOperator.LESS_THAN_OR_EQUAL_TO_THRESHOLD,
      ),
      writesBlocked: alarm(
        'WritesBlocked',
        'writes-blocked',
        `${this.domainName} refuses writes (disk or memory): the indexer's batches fail and go to its on-failure queue.`,
        this.domain.metricClusterIndexWritesBlocked({ period: Duration.minutes(5), statistic: 'Maximum' }),
        1,
        1,
      ),
      jvmMemoryPressure: alarm(
        'JvmMemoryPressure',
        'jvm-memory-pressure',
        `${this.domainName}: a data node's JVM heap is over 95 % full for 3 minutes; requests are about to be rejected (circuit breakers).`,
        this.domain.metricJVMMemoryPressure({ period: oneMinute, statistic: 'Maximum' }),
        95,
        3,
      ),
      ...(capacity.masterNodes > 0
        ? {
            masterJvmMemoryPressure: alarm(
              'MasterJvmMemoryPressure',
              'master-jvm-memory-pressure',
              `${this.domainName}: a dedicated cluster manager's JVM heap is over 95 % full for 3 minutes; the cluster may lose its manager.`,
              this.domain.metricMasterJVMMemoryPressure({ period: oneMinute, statistic: 'Maximum' }),
              95,
              3,
            ),
          }
        : {}),
    };
  }

  private acknowledgeNagFindings() {
    Validations.of(this.domain).acknowledge({
      id: 'AwsSolutions-OS1',
      reason:
        'The domain has a public endpoint on purpose: no function of the platform runs in a VPC (a VPC would add NAT or interface endpoints for X-Ray and DynamoDB to every search function). Every request is HTTPS (TLS 1.2+) and SigV4-signed, and the access policy admits only the named function roles.',
    });
    Validations.of(this.domain).acknowledge({
      id: 'AwsSolutions-OS3',
      reason:
        'Callers are Lambda functions, whose source addresses are AWS-owned and change: the domain admits IAM principals (each function role, with the methods and paths of its access level), not IP addresses.',
    });
  }
}

function validateCapacity(capacity: SearchCapacity) {
  if (capacity.zones !== 2 && capacity.zones !== 3)
    throw new Error(`Search zones must be 2 or 3, got ${capacity.zones}`);
  if (capacity.dataNodes < capacity.zones || capacity.dataNodes % capacity.zones !== 0) {
    throw new Error(
      `Search data nodes (${capacity.dataNodes}) must be a multiple of its zones (${capacity.zones}): each zone holds the same share`,
    );
  }
  if (capacity.masterNodes !== 0 && capacity.masterNodes !== 3 && capacity.masterNodes !== 5) {
    throw new Error(`Search dedicated cluster managers must be 0, 3 or 5 (a quorum), got ${capacity.masterNodes}`);
  }
  if (!(capacity.volumeSizeGiB >= 10))
    throw new Error(`Search volume size must be at least 10 GiB, got ${capacity.volumeSizeGiB}`);
}
