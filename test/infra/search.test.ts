import { App, CfnElement, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { IConstruct } from 'constructs';
import { beforeAll, describe, expect, it } from 'vitest';
import { Search } from '../../lib/contexts/search';
import { routes } from '../../lib/routes';
import type { SearchAccess } from '../../lib/function-spec';
import { searchConsumers } from '../../lib/search';
import { reindexPermissions, searchIamAction, searchPermissions } from '../../lib/search-access';
import { consumerPhysicalNames } from '../../lib/stream-consumers';
import { EciCommStack } from '../../lib/stacks/platform-stack';

type CfnResource = { Type: string; Properties: Record<string, any>; DependsOn?: string[]; DeletionPolicy?: string };
type DomainStatement = {
  Sid: string;
  Effect: string;
  Principal: { AWS: unknown };
  Action: string | string[];
  Resource: string | string[];
};

let stack: EciCommStack;
let resources: Record<string, CfnResource>;
const logicalId = (construct: IConstruct) =>
  stack.getLogicalId((construct instanceof CfnElement ? construct : construct.node.defaultChild) as CfnElement);
const ofType = (type: string) => Object.entries(resources).filter(([, r]) => r.Type === type);
const domainResource = () => resources[logicalId(stack.search.domain)]!;
const domainStatements = () => domainResource().Properties.AccessPolicies.Statement as DomainStatement[];
/** `arn:${Partition}:es:${Region}:${AccountId}:domain/ecicomm-test-search/<path>`, as CloudFormation receives it. */
const domainPath = (path: string) => ({
  'Fn::Join': [
    '',
    [
      'arn:',
      { Ref: 'AWS::Partition' },
      ':es:',
      { Ref: 'AWS::Region' },
      ':',
      { Ref: 'AWS::AccountId' },
      `:domain/ecicomm-test-search/${path}`,
    ],
  ],
});

/** Every function that uses the engine — the routes and the indexer — with its access level and its built function. */
const searchUsers = () => [
  ...routes
    .filter((r) => r.search)
    .map((r) => ({ id: r.id, access: r.search!, built: stack.api.functions.get(r.id)! })),
  ...searchConsumers.map((c) => ({ id: c.id, access: c.search, built: stack.search.consumers.get(c.id)!.function })),
];
const roleArnOf = (id: string) => ({
  'Fn::GetAtt': [logicalId(searchUsers().find((u) => u.id === id)!.built.role), 'Arn'],
});
const statementsOf = (id: string) =>
  domainStatements().filter((s) => JSON.stringify(s.Principal.AWS) === JSON.stringify(roleArnOf(id)));

beforeAll(() => {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] }, builtinCloudFormationValidation: false });
  stack = new EciCommStack(app, 'SearchTest', { namePrefix: 'ecicomm-test' });
  resources = Template.fromStack(stack).toJSON().Resources;
});

describe('who uses the engine', () => {
  it('is the search and suggest routes (read), the health check (status) and the products-stream indexer (write)', () => {
    expect(
      searchUsers()
        .map((u) => [u.id, u.access])
        .sort(),
    ).toEqual([
      ['health', 'status'],
      ['indexProducts', 'write'],
      ['searchProducts', 'read'],
      ['suggestProducts', 'read'],
    ]);
  });
});

describe('the search domain', () => {
  it('is one OpenSearch Service domain named after the stage, upgraded in place on a version change', () => {
    const domains = ofType('AWS::OpenSearchService::Domain');
    expect(domains.map(([id]) => id)).toEqual([logicalId(stack.search.domain)]);
    const { Properties } = domainResource();
    expect(Properties.DomainName).toBe('ecicomm-test-search');
    expect(Properties.EngineVersion).toBe('OpenSearch_2.19');
    expect(resources[logicalId(stack.search.domain)]).toMatchObject({ UpdatePolicy: { EnableVersionUpgrade: true } });
  });

  it('encrypts at rest and between nodes, and takes HTTPS only, with TLS 1.2 or later and forward secrecy', () => {
    const { Properties } = domainResource();
    expect(Properties.EncryptionAtRestOptions).toEqual({ Enabled: true });
    expect(Properties.NodeToNodeEncryptionOptions).toEqual({ Enabled: true });
    expect(Properties.DomainEndpointOptions).toEqual({
      EnforceHTTPS: true,
      TLSSecurityPolicy: 'Policy-Min-TLS-1-2-PFS-2023-10',
    });
  });

  it('spreads three data nodes over three zones, with three dedicated cluster managers and gp3 storage', () => {
    const { Properties } = domainResource();
    expect(Properties.ClusterConfig).toMatchObject({
      InstanceCount: 3,
      InstanceType: 'm7g.large.search',
      DedicatedMasterEnabled: true,
      DedicatedMasterCount: 3,
      DedicatedMasterType: 'm7g.large.search',
      ZoneAwarenessEnabled: true,
      ZoneAwarenessConfig: { AvailabilityZoneCount: 3 },
    });
    expect(Properties.EBSOptions).toMatchObject({ EBSEnabled: true, VolumeSize: 20, VolumeType: 'gp3' });
  });

  it('has no fine-grained access control, no basic auth and no master user: IAM decides every request', () => {
    const { Properties } = domainResource();
    expect(Properties.AdvancedSecurityOptions).toBeUndefined();
    expect(ofType('AWS::SecretsManager::Secret').filter(([id]) => id.includes('Search'))).toEqual([]);
  });
});

describe('the domain access policy', () => {
  it('admits exactly the roles of the functions that use the engine, by ARN, and nobody else', () => {
    const principals = new Set(domainStatements().map((s) => JSON.stringify(s.Principal.AWS)));
    expect([...principals].sort()).toEqual(
      searchUsers()
        .map((u) => JSON.stringify(roleArnOf(u.id)))
        .sort(),
    );
    for (const statement of domainStatements()) {
      expect(statement.Effect).toBe('Allow');
      expect(JSON.stringify(statement.Principal)).not.toContain('"*"');
    }
  });

  it.each(
    routes
      .filter((r) => r.search)
      .map((r) => [r.id, r.search!] as const)
      .concat(searchConsumers.map((c) => [c.id, c.search] as const)),
  )('%s (%s) may make exactly the requests of its access level, on this domain only', (id, access: SearchAccess) => {
    expect(statementsOf(id).map((s) => ({ Action: s.Action, Resource: s.Resource }))).toEqual(
      searchPermissions[access].map((p) => ({
        Action: p.methods.map(searchIamAction),
        Resource: p.paths.map(domainPath),
      })),
    );
  });

  it('lets the search routes send POST /products/_search and nothing else: no writes, no index or alias changes', () => {
    for (const id of ['searchProducts', 'suggestProducts']) {
      expect(statementsOf(id)).toEqual([
        expect.objectContaining({
          Action: ['es:ESHttpGet', 'es:ESHttpPost'],
          Resource: [domainPath('products/_search')],
        }),
      ]);
    }
  });

  it('lets the indexer write documents and make the bootstrap index and alias, but not delete or refresh an index, nor search', () => {
    const actions = statementsOf('indexProducts').flatMap((s) =>
      [s.Action].flat().map((a) => [a, [s.Resource].flat()] as const),
    );
    expect(actions.map(([a]) => a)).not.toContain('es:ESHttpDelete');
    const resources = JSON.stringify(actions.map(([, r]) => r));
    expect(resources).not.toContain('_search');
    expect(resources).not.toContain('_refresh');
    expect(statementsOf('indexProducts')).toContainEqual(
      expect.objectContaining({ Action: ['es:ESHttpPut'], Resource: [domainPath('products-v*-00000000000000000')] }),
    );
  });

  it('is the only grant to functions: no identity policy of a function role allows an es: action', () => {
    const esStatements = ofType('AWS::IAM::Policy').flatMap(([, p]) =>
      (p.Properties.PolicyDocument.Statement as { Action: string | string[] }[]).filter((s) =>
        [s.Action].flat().some((a) => a.startsWith('es:')),
      ),
    );
    expect(esStatements).toEqual([]);
  });

  it('refuses everyone when no function uses the engine', () => {
    const lone = new Stack(new App({ context: { 'aws:cdk:bundling-stacks': [] } }), 'Lone');
    const search = new Search(lone, 'Search', { namePrefix: 'lone', tables: {}, consumers: [] });
    const [, domain] = Object.entries(Template.fromStack(lone).toJSON().Resources as Record<string, CfnResource>).find(
      ([, r]) => r.Type === 'AWS::OpenSearchService::Domain',
    )!;
    expect(search.admitted).toEqual([]);
    expect(domain.Properties.AccessPolicies.Statement).toEqual([
      expect.objectContaining({ Effect: 'Deny', Principal: { AWS: '*' }, Action: 'es:ESHttp*' }),
    ]);
  });
});

describe('the indexer', () => {
  const indexer = searchConsumers.find((c) => c.id === 'indexProducts')!;
  const built = () => stack.search.consumers.get(indexer.id)!;

  it("reads the products table's stream through an event source mapping with the settings of lib/search.ts and an on-failure queue", () => {
    const mappings = ofType('AWS::Lambda::EventSourceMapping').filter(
      ([, m]) =>
        JSON.stringify(m.Properties.FunctionName) === JSON.stringify({ Ref: logicalId(built().function.function) }),
    );
    expect(mappings).toHaveLength(1);
    expect(mappings[0]![1].Properties).toEqual({
      FunctionName: { Ref: logicalId(built().function.function) },
      EventSourceArn: { 'Fn::GetAtt': [logicalId(stack.data.tables.products), 'StreamArn'] },
      StartingPosition: indexer.startingPosition,
      BatchSize: indexer.batchSize,
      MaximumBatchingWindowInSeconds: indexer.maximumBatchingWindowSeconds,
      BisectBatchOnFunctionError: indexer.bisectBatchOnFunctionError,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      MaximumRetryAttempts: indexer.maximumRetryAttempts,
      MaximumRecordAgeInSeconds: indexer.maximumRecordAgeSeconds,
      DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [logicalId(built().failureQueue), 'Arn'] } } },
    });
  });

  it('is named <prefix>-indexProducts, its queue <prefix>-search-products-stream-failures: the names the redrive command uses', () => {
    const names = consumerPhysicalNames(indexer, 'ecicomm-test');
    expect(resources[logicalId(built().function.function)]!.Properties.FunctionName).toBe(names.functionName);
    expect(resources[logicalId(built().failureQueue)]!.Properties).toMatchObject({
      QueueName: names.queueName,
      SqsManagedSseEnabled: true,
      MessageRetentionPeriod: 14 * 86_400,
    });
  });

  it("touches no table: its documents are the stream's images", () => {
    const variables = resources[logicalId(built().function.function)]!.Properties.Environment.Variables;
    expect(Object.keys(variables).filter((k) => k.endsWith('_TABLE'))).toEqual([]);
  });

  it('alarms when its oldest record waited over 30 s, and on any record waiting in its on-failure queue, notifying the search topic', () => {
    const alarms = ofType('AWS::CloudWatch::Alarm').map(([, a]) => a.Properties);
    const topic = [{ Ref: logicalId(stack.search.alarmTopic) }];
    expect(alarms.find((a) => a.AlarmName === 'ecicomm-test-search-indexProducts-iterator-age')).toMatchObject({
      MetricName: 'IteratorAge',
      Namespace: 'AWS/Lambda',
      Statistic: 'Maximum',
      Threshold: 30_000,
      ComparisonOperator: 'GreaterThanThreshold',
      Dimensions: [{ Name: 'FunctionName', Value: { Ref: logicalId(built().function.function) } }],
      AlarmActions: topic,
    });
    expect(alarms.find((a) => a.AlarmName === 'ecicomm-test-search-indexProducts-failures')).toMatchObject({
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Namespace: 'AWS/SQS',
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [logicalId(built().failureQueue), 'QueueName'] } }],
      AlarmActions: topic,
    });
  });
});

describe("the reindex operator's policy", () => {
  it("allows the reindex's requests on this domain and the products table's scan and count, and nothing else", () => {
    const policy = resources[logicalId(stack.search.reindexPolicy!)]!;
    expect(policy.Type).toBe('AWS::IAM::ManagedPolicy');
    expect(policy.Properties.ManagedPolicyName).toBe('ecicomm-test-search-reindex');
    expect(policy.Properties.PolicyDocument.Statement).toEqual([
      ...reindexPermissions.map((p) => ({
        Effect: 'Allow',
        Action: p.methods.length === 1 ? searchIamAction(p.methods[0]!) : p.methods.map(searchIamAction),
        Resource: p.paths.length === 1 ? domainPath(p.paths[0]!) : p.paths.map(domainPath),
      })),
      {
        Effect: 'Allow',
        Action: ['dynamodb:Scan', 'dynamodb:DescribeTable'],
        Resource: { 'Fn::GetAtt': [logicalId(stack.data.tables.products), 'Arn'] },
      },
    ]);
  });
});

describe('functions that use the engine', () => {
  it.each(['health', 'searchProducts', 'suggestProducts', 'indexProducts'])(
    '%s gets the https endpoint and the signing service es',
    (id) => {
      const variables =
        resources[logicalId(searchUsers().find((u) => u.id === id)!.built.function)]!.Properties.Environment.Variables;
      expect(variables.OPENSEARCH_ENDPOINT).toEqual({
        'Fn::Join': ['', ['https://', { 'Fn::GetAtt': [logicalId(stack.search.domain), 'DomainEndpoint'] }]],
      });
      expect(variables.OPENSEARCH_SIGNING_SERVICE).toBe('es');
    },
  );

  it('no other function gets the endpoint', () => {
    const searchIds = new Set(searchUsers().map((u) => logicalId(u.built.function)));
    const others = ofType('AWS::Lambda::Function').filter(
      ([id, fn]) => !searchIds.has(id) && fn.Properties.Environment?.Variables?.OPENSEARCH_ENDPOINT,
    );
    expect(others.map(([id]) => id)).toEqual([]);
  });
});

describe('logs', () => {
  const logGroupIds = () => Object.values(stack.search.logGroups).map((g) => logicalId(g));

  it('publishes search slow logs, index slow logs and error logs, each to its own log group with a retention', () => {
    const options = domainResource().Properties.LogPublishingOptions;
    const arnOf = (group: keyof Search['logGroups']) => ({
      'Fn::GetAtt': [logicalId(stack.search.logGroups[group]), 'Arn'],
    });
    expect(options).toEqual({
      SEARCH_SLOW_LOGS: { Enabled: true, CloudWatchLogsLogGroupArn: arnOf('searchSlow') },
      INDEX_SLOW_LOGS: { Enabled: true, CloudWatchLogsLogGroupArn: arnOf('indexSlow') },
      ES_APPLICATION_LOGS: { Enabled: true, CloudWatchLogsLogGroupArn: arnOf('errors') },
    });
    for (const id of logGroupIds()) expect(resources[id]!.Properties.RetentionInDays).toBe(30);
  });

  it('lets only OpenSearch Service, for this domain of this account, write to those groups, before the domain is created', () => {
    const policies = ofType('AWS::Logs::ResourcePolicy');
    expect(policies).toHaveLength(1);
    const [policyId, policy] = policies[0]!;
    const document = JSON.parse(JSON.stringify(stack.resolve(policy.Properties.PolicyDocument)));
    const rendered = JSON.stringify(document);
    for (const id of logGroupIds()) expect(rendered).toContain(id);
    expect(rendered).toContain('es.amazonaws.com');
    expect(rendered).toContain('aws:SourceAccount');
    expect(rendered).toContain(':domain/ecicomm-test-search');
    expect(rendered).not.toMatch(/logs:\*|"Resource":"\*"/);
    expect(domainResource().DependsOn).toContain(policyId);
    // No custom resource (and its Lambda function) to write the policy.
    expect(ofType('Custom::CloudwatchLogResourcePolicy')).toEqual([]);
    expect(ofType('Custom::OpenSearchAccessPolicy')).toEqual([]);
  });
});

describe('alarms', () => {
  const alarmOf = (name: string) =>
    ofType('AWS::CloudWatch::Alarm')
      .map(([, a]) => a.Properties)
      .find((a) => a.AlarmName === `ecicomm-test-search-${name}`);
  const topic = () => [{ Ref: logicalId(stack.search.alarmTopic) }];
  const cases: [string, string, string, number, string, number, number][] = [
    ['cluster-red', 'ClusterStatus.red', 'Maximum', 1, 'GreaterThanOrEqualToThreshold', 60, 1],
    ['cluster-yellow', 'ClusterStatus.yellow', 'Maximum', 1, 'GreaterThanOrEqualToThreshold', 60, 5],
    // A quarter of a 20 GiB volume, in MiB as the metric reports it.
    ['free-storage', 'FreeStorageSpace', 'Minimum', 5120, 'LessThanOrEqualToThreshold', 60, 1],
    ['writes-blocked', 'ClusterIndexWritesBlocked', 'Maximum', 1, 'GreaterThanOrEqualToThreshold', 300, 1],
    ['jvm-memory-pressure', 'JVMMemoryPressure', 'Maximum', 95, 'GreaterThanOrEqualToThreshold', 60, 3],
    ['master-jvm-memory-pressure', 'MasterJVMMemoryPressure', 'Maximum', 95, 'GreaterThanOrEqualToThreshold', 60, 3],
  ];

  it.each(cases)(
    '%s: %s %s, threshold %d (%s), %d s periods × %d, notifying the search alarm topic',
    (name, metric, statistic, threshold, comparison, period, periods) => {
      const alarm = alarmOf(name);
      expect(alarm).toMatchObject({
        Namespace: 'AWS/ES',
        MetricName: metric,
        Statistic: statistic,
        Threshold: threshold,
        ComparisonOperator: comparison,
        Period: period,
        EvaluationPeriods: periods,
        AlarmActions: topic(),
      });
      expect(alarm!.Dimensions).toEqual(
        expect.arrayContaining([
          { Name: 'DomainName', Value: { Ref: logicalId(stack.search.domain) } },
          { Name: 'ClientId', Value: { Ref: 'AWS::AccountId' } },
        ]),
      );
    },
  );

  it('notifies through an encrypted, SSL-only topic of its own', () => {
    const topicResource = resources[logicalId(stack.search.alarmTopic)]!;
    expect(topicResource.Properties).toMatchObject({ TopicName: 'ecicomm-test-search-alarms' });
    expect(topicResource.Properties.KmsMasterKeyId).toBeDefined();
  });
});

describe('capacity', () => {
  const build =
    (capacity: ConstructorParameters<typeof Search>[2]['capacity'], namePrefix = 'cap') =>
    () =>
      new Search(new Stack(new App(), 'Cap'), 'Search', { namePrefix, capacity, tables: {}, consumers: [] });

  it('refuses data nodes that do not spread evenly over the zones, a manager count without a quorum, or tiny volumes', () => {
    expect(build({ dataNodes: 4 })).toThrow(/multiple of its zones/);
    expect(build({ dataNodes: 2, zones: 3 })).toThrow(/multiple of its zones/);
    expect(build({ masterNodes: 2 })).toThrow(/quorum/);
    expect(build({ volumeSizeGiB: 5 })).toThrow(/at least 10 GiB/);
    expect(build({ dataNodes: 2, zones: 2, masterNodes: 0 })).not.toThrow();
  });

  it('refuses a name prefix that makes the domain name longer than OpenSearch allows', () => {
    expect(build({}, 'a-prefix-much-too-long-for')).toThrow(/3-28 lower-case/);
  });

  it('has no manager alarm without dedicated managers', () => {
    const lone = new Stack(new App(), 'NoManagers');
    const search = new Search(lone, 'Search', {
      namePrefix: 'nomgr',
      capacity: { dataNodes: 2, zones: 2, masterNodes: 0 },
      tables: {},
      consumers: [],
    });
    expect(search.alarms.masterJvmMemoryPressure).toBeUndefined();
    const domain = Object.values(Template.fromStack(lone).toJSON().Resources as Record<string, CfnResource>).find(
      (r) => r.Type === 'AWS::OpenSearchService::Domain',
    )!;
    expect(domain.Properties.ClusterConfig).toMatchObject({
      DedicatedMasterEnabled: false,
      InstanceCount: 2,
      ZoneAwarenessConfig: { AvailabilityZoneCount: 2 },
    });
    expect(Object.keys(search.alarms).sort()).toEqual([
      'clusterRed',
      'clusterYellow',
      'freeStorage',
      'jvmMemoryPressure',
      'writesBlocked',
    ]);
  });
});
