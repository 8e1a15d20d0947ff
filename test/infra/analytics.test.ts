import { App, Names, Stack } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';
import { afterAll, beforeAll, describe, it } from '@jest/globals';
import { expect } from '../support/expect';
import { consumerPhysicalNames, streamConsumers, type StreamConsumer } from '../../lib/analytics';
import { streamConsumers as everyStreamConsumer } from '../../lib/stream-consumers';
import { QUICKSIGHT_PRINCIPAL_CONTEXT } from '../../lib/contexts/analytics';
import { DASHBOARD_VISUALS } from '../../lib/contexts/analytics/quicksight';
import {
  conversionFunnel,
  conversionFunnelSql,
  warehouseViews,
  WAREHOUSE_VIEWS,
} from '../../lib/contexts/analytics/views';
import {
  PlatformFunction,
  WAREHOUSE_STATEMENT_ACTIONS,
  WAREHOUSE_SUBMIT_ACTIONS,
} from '../../lib/contexts/platform-function';
import { routes } from '../../lib/routes';
import { EciCommStack } from '../../lib/stacks/platform-stack';
import { PgliteWarehouse } from '@ecicomm/local-platform/redshift-data/in-process';
import { WAREHOUSE_READER_ROLE } from '../../functions/analytics/ports';
import { Template } from 'aws-cdk-lib/assertions';
import { allResources, logicalIdOf, referenceFrom } from '../support/cdk-templates';

type CfnResource = { Type: string; Properties: Record<string, any>; DeletionPolicy?: string };
type Statement = { Action: string | string[]; Resource: unknown; Effect: string; Condition?: unknown };

let stack: EciCommStack;
let resources: Record<string, CfnResource>;
const logicalId = (construct: IConstruct) => logicalIdOf(construct);
const getAtt = (construct: IConstruct, attribute: string) => ({ 'Fn::GetAtt': [logicalId(construct), attribute] });
/** How `user`'s stack names the attribute: directly, or through a parameter when `user` is in a nested stack. */
const attributeFor = (user: PlatformFunction, construct: IConstruct, attribute: string) =>
  referenceFrom(user.function, construct, attribute);
const ofType = (type: string) => Object.entries(resources).filter(([, r]) => r.Type === type);
const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
const actionsOf = (s: Statement) => [s.Action].flat();
const resourcesOf = (s: Statement) => [s.Resource].flat();
/** Every statement of every policy, with the roles it is attached to. */
const statements = () =>
  ofType('AWS::IAM::Policy').flatMap(([, r]) =>
    (r.Properties.PolicyDocument.Statement as Statement[]).map((statement) => ({
      roles: r.Properties.Roles as unknown[],
      statement,
    })),
  );
const statementsOfRole = (roleId: string) =>
  statements()
    .filter(({ roles }) => same(roles, [{ Ref: roleId }]))
    .map(({ statement }) => statement);

const consumerOf = (id: string) => stack.analytics.consumers.get(id)!;
/** A consumer of any context (the search indexer reads the products stream too). */
const anyConsumerOf = (id: string) =>
  stack.analytics.consumers.get(id) ??
  stack.search.consumers.get(id) ??
  stack.audit.consumers.get(id) ??
  stack.events.publishers.consumers.get(id)!;
const sourceArnOf = ({ source }: StreamConsumer) =>
  source.kind === 'table'
    ? getAtt(stack.data.tables[source.table], 'StreamArn')
    : getAtt(source.stream === 'audit' ? stack.audit.stream : stack.analytics.streams[source.stream]!, 'Arn');

beforeAll(() => {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] }, builtinCloudFormationValidation: false });
  stack = new EciCommStack(app, 'AnalyticsTest', { namePrefix: 'ecicomm-test' });
  resources = allResources(stack);
});

describe('the clickstream stream', () => {
  it('is one Kinesis stream, named after the stage, on demand, encrypted with KMS, kept on delete', () => {
    // The audit stream is the audit context's (test/infra/audit.test.ts).
    const streams = ofType('AWS::Kinesis::Stream').filter(([id]) => id !== logicalId(stack.audit.stream));
    expect(streams.map(([id]) => id)).toEqual([logicalId(stack.analytics.clickstream)]);
    const [, stream] = streams[0];
    expect(stream.Properties.Name).toBe('ecicomm-test-clickstream');
    expect(stream.Properties.StreamModeDetails).toEqual({ StreamMode: 'ON_DEMAND' });
    expect(stream.Properties.StreamEncryption).toEqual({ EncryptionType: 'KMS', KeyId: 'alias/aws/kinesis' });
    expect(stream.Properties.RetentionPeriodHours).toBe(24);
    expect(stream.DeletionPolicy).toBe('Retain');
  });
});

describe('POST /v1/events', () => {
  const route = routes.find((r) => r.id === 'putEvents')!;

  it('is served by a function that gets the stream name in CLICKSTREAM_STREAM', () => {
    const fn = resources[logicalId(stack.api.functions.get(route.id)!.function)].Properties;
    expect(fn.Environment.Variables.CLICKSTREAM_STREAM).toEqual(
      referenceFrom(stack.api.functions.get(route.id)!.function, stack.analytics.clickstream),
    );
  });

  it('may PutRecords on the clickstream; besides it (and search, which records its searches) only functions that name the stream, and its consumer, touch Kinesis, and only they read it', () => {
    const roleOf = (fn: PlatformFunction) => [{ Ref: logicalId(fn.role) }];
    const named = routes
      .filter((r) => r.streams?.clickstream)
      .map((r) => [r, roleOf(stack.api.functions.get(r.id)!)] as const);
    const writers = named.filter(([r]) => r.streams?.clickstream === 'write').map(([, role]) => role);
    const eventsWriter = roleOf(stack.api.functions.get(route.id)!);
    expect(writers).toHaveLength(2);
    expect(writers).toEqual(expect.arrayContaining([eventsWriter, roleOf(stack.api.functions.get('searchProducts')!)]));
    const readers = [
      ...named.filter(([r]) => r.streams?.clickstream === 'read').map(([, role]) => role),
      roleOf(consumerOf('loadClickstream').function),
    ];
    // Statements on the audit stream are the audit context's (test/infra/audit.test.ts, functions.test.ts).
    const auditStreamNames = [
      logicalId(stack.audit.stream),
      `referenceto${Names.uniqueId(stack.audit.stream.node.defaultChild!)}`,
    ];
    const onAuditStream = (statement: Statement) =>
      auditStreamNames.some((name) => JSON.stringify(resourcesOf(statement)).includes(`"${name}`));
    const kinesis = statements().filter(
      ({ statement }) => actionsOf(statement).some((a) => a.startsWith('kinesis:')) && !onAuditStream(statement),
    );
    expect(kinesis.length).toBeGreaterThan(0);
    for (const { roles, statement } of kinesis) {
      expect([...writers, ...readers]).toContainEqual(roles);
      expect(statement.Effect).toBe('Allow');
      // Named directly in this stack, or through a parameter in the route functions' nested one.
      const clickstreamArns = [
        getAtt(stack.analytics.clickstream, 'Arn'),
        attributeFor(stack.api.functions.get(route.id)!, stack.analytics.clickstream, 'Arn'),
      ];
      expect(resourcesOf(statement)).toHaveLength(1);
      expect(clickstreamArns).toContainEqual(resourcesOf(statement)[0]);
      const reads = actionsOf(statement).some((a) =>
        /^kinesis:(GetRecords|GetShardIterator|SubscribeToShard)$/.test(a),
      );
      const writes = actionsOf(statement).some((a) =>
        /^kinesis:(Put|Delete|Update|Merge|Split|Create|Increase|Decrease)/.test(a),
      );
      if (writes) expect(writers).toContainEqual(roles);
      if (reads) expect(readers).toContainEqual(roles);
    }
    const actionsOfRole = (role: unknown) =>
      kinesis.filter(({ roles }) => same(roles, role)).flatMap(({ statement }) => actionsOf(statement));
    for (const writer of writers) expect(actionsOfRole(writer)).toContain('kinesis:PutRecords');
    expect(actionsOfRole(eventsWriter)).toContain('kinesis:PutRecords');
    expect(actionsOfRole(roleOf(consumerOf('loadClickstream').function))).toEqual(
      expect.arrayContaining(['kinesis:GetRecords', 'kinesis:GetShardIterator']),
    );
  });
});

describe('stream consumers (lib/analytics.ts)', () => {
  const cases = streamConsumers.map((c) => [c.id, c] as const);

  it("builds one function, one mapping and one on-failure queue per consumer, and no other mappings than the other contexts' consumers", () => {
    expect([...stack.analytics.consumers.keys()]).toEqual(streamConsumers.map((c) => c.id));
    expect(ofType('AWS::Lambda::EventSourceMapping')).toHaveLength(everyStreamConsumer.length);
    expect(streamConsumers.map((c) => c.source.kind)).toEqual(expect.arrayContaining(['table', 'stream']));
  });

  it.each(cases)('%s: its event source mapping has exactly the settings of lib/analytics.ts', (_, consumer) => {
    const built = consumerOf(consumer.id);
    const mappings = ofType('AWS::Lambda::EventSourceMapping').filter(([, m]) =>
      same(m.Properties.FunctionName, { Ref: logicalId(built.function.function) }),
    );
    expect(mappings).toHaveLength(1);
    expect(mappings[0][1].Properties).toEqual({
      FunctionName: { Ref: logicalId(built.function.function) },
      EventSourceArn: sourceArnOf(consumer),
      StartingPosition: consumer.startingPosition,
      BatchSize: consumer.batchSize,
      MaximumBatchingWindowInSeconds: consumer.maximumBatchingWindowSeconds,
      BisectBatchOnFunctionError: consumer.bisectBatchOnFunctionError,
      ...(consumer.reportBatchItemFailures ? { FunctionResponseTypes: ['ReportBatchItemFailures'] } : {}),
      MaximumRetryAttempts: consumer.maximumRetryAttempts,
      MaximumRecordAgeInSeconds: consumer.maximumRecordAgeSeconds,
      DestinationConfig: { OnFailure: { Destination: getAtt(built.failureQueue, 'Arn') } },
    });
  });

  it.each(cases)(
    '%s: its function is named <prefix>-<id>, the name the redrive CLI invokes with --prefix',
    (_, consumer) => {
      const fn = resources[logicalId(consumerOf(consumer.id).function.function)];
      expect(fn.Properties.FunctionName).toBe(consumerPhysicalNames(consumer, 'ecicomm-test').functionName);
    },
  );

  it.each(cases)(
    '%s: its on-failure queue is named from lib/analytics.ts, encrypted, SSL-only, keeps messages 14 days, survives the stack',
    (_, consumer) => {
      const queueId = logicalId(consumerOf(consumer.id).failureQueue);
      const queue = resources[queueId];
      expect(queue.Properties).toMatchObject({
        QueueName: `ecicomm-test-${consumer.onFailureQueueName}`,
        SqsManagedSseEnabled: true,
        MessageRetentionPeriod: 14 * 86_400,
      });
      expect(queue.DeletionPolicy).toBe('Retain');
      const policies = ofType('AWS::SQS::QueuePolicy').filter(([, p]) => same(p.Properties.Queues, [{ Ref: queueId }]));
      expect(policies[0][1].Properties.PolicyDocument.Statement).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      );
    },
  );

  it.each(cases)(
    '%s: only it and the other consumers of its source may read that stream, and only it may send to its queue',
    (_, consumer) => {
      const built = consumerOf(consumer.id);
      const roleId = logicalId(built.function.role);
      const sourceReaders = everyStreamConsumer
        .filter((c) => same(c.source, consumer.source))
        .map((c) => [{ Ref: logicalId(anyConsumerOf(c.id).function.role) }]);
      const source = JSON.stringify(sourceArnOf(consumer));
      const queue = JSON.stringify(getAtt(built.failureQueue, 'Arn'));
      for (const { roles, statement } of statements()) {
        const touchesQueue = resourcesOf(statement).some((r) => JSON.stringify(r) === queue);
        const readsSource =
          resourcesOf(statement).some((r) => JSON.stringify(r) === source) &&
          actionsOf(statement).some((a) => /^(dynamodb|kinesis):(GetRecords|GetShardIterator)$/.test(a));
        if (touchesQueue) expect(roles, JSON.stringify(statement)).toEqual([{ Ref: roleId }]);
        if (readsSource && consumer.source.kind === 'table')
          expect(sourceReaders, JSON.stringify(statement)).toContainEqual(roles);
      }
      const own = statementsOfRole(roleId);
      const reads = own.filter((s) => resourcesOf(s).some((r) => JSON.stringify(r) === source)).flatMap(actionsOf);
      expect(reads).toEqual(
        consumer.source.kind === 'table'
          ? expect.arrayContaining(['dynamodb:DescribeStream', 'dynamodb:GetRecords', 'dynamodb:GetShardIterator'])
          : expect.arrayContaining(['kinesis:GetRecords', 'kinesis:GetShardIterator', 'kinesis:ListShards']),
      );
      // The stream of no other table, and no other queue.
      const streamArns = own.flatMap(resourcesOf).filter((r) => JSON.stringify(r).includes('StreamArn'));
      expect(streamArns.map((r) => JSON.stringify(r))).toEqual(
        streamArns.map(() => source).filter(() => consumer.source.kind === 'table'),
      );
      expect(
        own
          .filter((s) => actionsOf(s).some((a) => a.startsWith('sqs:')))
          .flatMap(resourcesOf)
          .map((r) => JSON.stringify(r)),
      ).toEqual([queue]);
    },
  );

  it('no other function may read any table stream', () => {
    const consumerRoles = everyStreamConsumer.map((c) => [{ Ref: logicalId(anyConsumerOf(c.id).function.role) }]);
    for (const { roles, statement } of statements()) {
      if (resourcesOf(statement).some((r) => JSON.stringify(r).includes('"StreamArn"')))
        expect(consumerRoles).toContainEqual(roles);
    }
  });

  it.each(cases)(
    '%s: alarms when its iterator age passes 60 s and when a record waits in its on-failure queue, notifying the analytics topic',
    (_, consumer) => {
      const built = consumerOf(consumer.id);
      const topic = [{ Ref: logicalId(stack.analytics.alarmTopic) }];
      const alarms = ofType('AWS::CloudWatch::Alarm').map(([, a]) => a.Properties);
      const iteratorAge = alarms.filter(
        (a) =>
          a.MetricName === 'IteratorAge' &&
          same(a.Dimensions, [{ Name: 'FunctionName', Value: { Ref: logicalId(built.function.function) } }]),
      );
      expect(iteratorAge).toHaveLength(1);
      expect(iteratorAge[0]).toMatchObject({
        Namespace: 'AWS/Lambda',
        Statistic: 'Maximum',
        Period: 300,
        Threshold: 60_000,
        ComparisonOperator: 'GreaterThanThreshold',
        TreatMissingData: 'notBreaching',
        AlarmActions: topic,
      });
      const depth = alarms.filter(
        (a) =>
          a.MetricName === 'ApproximateNumberOfMessagesVisible' &&
          same(a.Dimensions, [{ Name: 'QueueName', Value: getAtt(built.failureQueue, 'QueueName') }]),
      );
      expect(depth).toHaveLength(1);
      expect(depth[0]).toMatchObject({
        Namespace: 'AWS/SQS',
        Statistic: 'Maximum',
        Threshold: 1,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        AlarmActions: topic,
      });
    },
  );

  it('notifies through an SSL-only topic encrypted with a rotated key that CloudWatch may use', () => {
    const topic = resources[logicalId(stack.analytics.alarmTopic)].Properties;
    expect(topic.TopicName).toBe('ecicomm-test-analytics-alarms');
    const key = resources[topic.KmsMasterKeyId['Fn::GetAtt'][0]].Properties;
    expect(key.EnableKeyRotation).toBe(true);
    expect(key.KeyPolicy.Statement).toEqual(
      expect.arrayContaining([expect.objectContaining({ Principal: { Service: 'cloudwatch.amazonaws.com' } })]),
    );
  });
});

describe('functions that use the warehouse', () => {
  type Access = 'read' | 'write' | 'status';
  const warehouseFunctions = (): [string, PlatformFunction, Access][] => [
    ...routes
      .filter((r) => r.warehouse)
      .map((r): [string, PlatformFunction, Access] => [`route ${r.id}`, stack.api.functions.get(r.id)!, r.warehouse!]),
    ...streamConsumers.map((c): [string, PlatformFunction, Access] => [
      `consumer ${c.id}`,
      consumerOf(c.id).function,
      c.warehouse,
    ]),
  ];
  const byAccess = (access: Access) => warehouseFunctions().filter(([, , a]) => a === access);
  const secretArn = (fn: PlatformFunction) =>
    attributeFor(fn, stack.analytics.warehouse.adminSecretLookup, 'namespace.adminPasswordSecretArn');
  const workgroupArn = (fn: PlatformFunction) =>
    attributeFor(fn, stack.analytics.warehouse.workgroup, 'Workgroup.WorkgroupArn');
  const warehouseStatements = (fn: PlatformFunction) =>
    statementsOfRole(logicalId(fn.role)).filter((s) =>
      actionsOf(s).some((a) => /^(redshift|secretsmanager|tag)/.test(a)),
    );
  const dataApi = (fn: PlatformFunction) => [
    { Effect: 'Allow', Action: [...WAREHOUSE_SUBMIT_ACTIONS], Resource: workgroupArn(fn) },
    {
      Effect: 'Allow',
      Action: [...WAREHOUSE_STATEMENT_ACTIONS],
      Resource: '*',
      Condition: { StringEquals: { 'redshift-data:statement-owner-iam-userid': '${aws:userid}' } },
    },
  ];

  it('are the routes that name it and every loader: loaders write, the analytics API reads, the health check asks the status', () => {
    expect(routes.filter((r) => r.warehouse).length).toBeGreaterThan(0);
    for (const c of streamConsumers) expect(c.warehouse).toBe('write');
    expect(routes.filter((r) => r.warehouse).map((r) => [r.id, r.warehouse])).toEqual([
      ['health', 'status'],
      ['analyticsSummary', 'read'],
      ['analyticsSalesReport', 'read'],
      ['analyticsInsights', 'read'],
    ]);
    const withGrants = ofType('AWS::Lambda::Function').filter(([, f]) =>
      // Not the custom resource that reads the secret's ARN at deployment (redshift-serverless:GetNamespace).
      statementsOfRole(f.Properties.Role['Fn::GetAtt']?.[0]).some((s) =>
        actionsOf(s).some((a) => /^redshift-data:|^redshift-serverless:(GetCredentials|GetWorkgroup)$/.test(a)),
      ),
    );
    expect(withGrants.map(([id]) => id).sort()).toEqual(
      warehouseFunctions()
        .map(([, f]) => logicalId(f.function))
        .sort(),
    );
  });

  it('get the workgroup and database in the environment that functions/analytics/deps.ts reads, and only the loaders the admin secret', () => {
    for (const [name, fn, access] of warehouseFunctions()) {
      const variables = resources[logicalId(fn.function)].Properties.Environment.Variables;
      expect(variables, name).toMatchObject({
        REDSHIFT_WORKGROUP: attributeFor(fn, stack.analytics.warehouse.workgroup, 'Workgroup.WorkgroupName'),
        REDSHIFT_DATABASE: 'ecicomm',
      });
      if (access === 'write') expect(variables.REDSHIFT_SECRET_ARN, name).toEqual(secretArn(fn));
      else expect(variables.REDSHIFT_SECRET_ARN, name).toBeUndefined();
    }
  });

  it('wait for the warehouse as long as API Gateway lets a request wait (readers), for the Data API’s own deadline (loaders), or not at all (status)', () => {
    for (const [name, fn, access] of warehouseFunctions()) {
      const timeout = resources[logicalId(fn.function)].Properties.Timeout;
      expect(timeout, name).toBe(access === 'status' ? 10 : name.startsWith('route ') ? 28 : 360);
    }
  });

  it('loaders may submit SQL to the workgroup only, follow only their own statements, and read only the admin secret', () => {
    expect(byAccess('write').length).toBeGreaterThan(0);
    for (const [name, fn] of byAccess('write')) {
      expect(warehouseStatements(fn), name).toEqual([
        ...dataApi(fn),
        { Effect: 'Allow', Action: 'secretsmanager:GetSecretValue', Resource: secretArn(fn) },
      ]);
    }
    // The Data API calls the adapter makes (functions/analytics/adapters/redshift-data-warehouse.ts), and CancelStatement.
    expect([...WAREHOUSE_SUBMIT_ACTIONS, ...WAREHOUSE_STATEMENT_ACTIONS].sort()).toEqual(
      ['BatchExecuteStatement', 'CancelStatement', 'DescribeStatement', 'GetStatementResult', 'ExecuteStatement']
        .sort()
        .map((a) => `redshift-data:${a}`),
    );
  });

  it('readers sign in as themselves, mapped to the read-only reader role: no admin secret', () => {
    expect(byAccess('read').length).toBeGreaterThan(0);
    for (const [name, fn] of byAccess('read')) {
      expect(warehouseStatements(fn), name).toEqual([
        ...dataApi(fn),
        { Effect: 'Allow', Action: 'redshift-serverless:GetCredentials', Resource: workgroupArn(fn) },
        { Effect: 'Allow', Action: ['tag:GetResources', 'tag:GetTagKeys'], Resource: '*' },
      ]);
      expect(JSON.stringify(statementsOfRole(logicalId(fn.role))), name).not.toContain('secretsmanager');
      expect(resources[logicalId(fn.role)].Properties.Tags, name).toEqual(
        expect.arrayContaining([{ Key: 'RedshiftDbRoles', Value: WAREHOUSE_READER_ROLE }]),
      );
    }
  });

  it('the health check may only ask the workgroup’s status: no SQL, no credentials', () => {
    const [[name, fn]] = byAccess('status');
    expect(warehouseStatements(fn), name).toEqual([
      { Effect: 'Allow', Action: 'redshift-serverless:GetWorkgroup', Resource: workgroupArn(fn) },
    ]);
    expect(resources[logicalId(fn.role)].Properties.Tags ?? []).not.toEqual(
      expect.arrayContaining([expect.objectContaining({ Key: 'RedshiftDbRoles' })]),
    );
  });

  it('no role of the app but the loaders’ may read the admin secret (QuickSight reads it as its own service role, set up outside the template)', () => {
    const readers = ofType('AWS::IAM::Policy')
      .filter(([, p]) => JSON.stringify(p.Properties.PolicyDocument).includes('secretsmanager:GetSecretValue'))
      .flatMap(([, p]) => (p.Properties.Roles as { Ref: string }[]).map((r) => r.Ref));
    expect(readers.sort()).toEqual(
      byAccess('write')
        .map(([, fn]) => logicalId(fn.role))
        .sort(),
    );
  });

  it('cannot be built without the warehouse: a definition that asks for it fails the synth', () => {
    const other = new Stack(new App({ context: { 'aws:cdk:bundling-stacks': [] } }), 'NoWarehouse');
    const definition = {
      id: 'reads',
      context: 'analytics',
      handler: 'functions/analytics/handlers/load-clickstream.ts',
      summary: 'reads the warehouse',
      warehouse: 'read',
    } as const;
    expect(() => new PlatformFunction(other, 'Reads', { definition })).toThrow(
      /reads uses the warehouse but no warehouse was given/,
    );
  });
});

describe('the Redshift Serverless warehouse', () => {
  const namespace = () => resources[logicalId(stack.analytics.warehouse.namespace)];
  const workgroup = () => resources[logicalId(stack.analytics.warehouse.workgroup)].Properties;

  it('keeps the admin password in Secrets Manager, managed by Redshift: none in the template', () => {
    expect(namespace().Properties).toMatchObject({
      NamespaceName: 'ecicomm-test-warehouse',
      DbName: 'ecicomm',
      AdminUsername: 'ecicomm_admin',
      ManageAdminPassword: true,
    });
    expect(namespace().Properties.AdminUserPassword).toBeUndefined();
    expect(namespace().Properties.LogExports).toEqual(
      expect.arrayContaining(['connectionlog', 'userlog', 'useractivitylog']),
    );
    expect(namespace().DeletionPolicy).toBe('Retain');
    expect(ofType('AWS::SecretsManager::Secret')).toEqual([]);
  });

  it('has a workgroup of 8 base RPUs that is not publicly accessible, routes through its VPC and requires SSL', () => {
    expect(workgroup()).toMatchObject({
      WorkgroupName: 'ecicomm-test-warehouse',
      NamespaceName: getAtt(stack.analytics.warehouse.namespace, 'Namespace.NamespaceName'),
      BaseCapacity: 8,
      PubliclyAccessible: false,
      EnhancedVpcRouting: true,
      SecurityGroupIds: [getAtt(stack.analytics.warehouse.securityGroup, 'GroupId')],
    });
    expect(workgroup().ConfigParameters).toEqual(
      expect.arrayContaining([{ ParameterKey: 'require_ssl', ParameterValue: 'true' }]),
    );
  });

  it('sits in private isolated subnets in three availability zones, with no way out of the VPC, and flow logs on', () => {
    const subnets = (workgroup().SubnetIds as { Ref: string }[]).map(({ Ref }) => resources[Ref].Properties);
    expect(subnets).toHaveLength(3);
    expect(subnets.map((s) => s.AvailabilityZone['Fn::Select'][0])).toEqual([0, 1, 2]);
    for (const s of subnets) expect(s.MapPublicIpOnLaunch).toBe(false);
    expect(ofType('AWS::EC2::InternetGateway')).toEqual([]);
    expect(ofType('AWS::EC2::NatGateway')).toEqual([]);
    expect(ofType('AWS::EC2::Route')).toEqual([]);
    expect(ofType('AWS::EC2::FlowLog').map(([, f]) => f.Properties)).toEqual([
      expect.objectContaining({ ResourceId: { Ref: logicalId(stack.analytics.warehouse.vpc) }, TrafficType: 'ALL' }),
    ]);
  });

  it('lets in only QuickSight’s VPC connection, on the workgroup port', () => {
    const groupId = getAtt(stack.analytics.warehouse.securityGroup, 'GroupId');
    const ingress = ofType('AWS::EC2::SecurityGroupIngress')
      .map(([, r]) => r.Properties)
      .filter((r) => same(r.GroupId, groupId));
    expect(ingress).toEqual([
      expect.objectContaining({
        IpProtocol: 'tcp',
        FromPort: 5439,
        ToPort: 5439,
        SourceSecurityGroupId: getAtt(stack.analytics.dashboards.securityGroup, 'GroupId'),
      }),
    ]);
    expect(
      resources[logicalId(stack.analytics.warehouse.securityGroup)].Properties.SecurityGroupIngress,
    ).toBeUndefined();
  });

  it('reads the managed secret’s ARN with GetNamespace on this namespace only', () => {
    const lookup = resources[logicalId(stack.analytics.warehouse.adminSecretLookup)];
    expect(lookup.Type).toBe('Custom::RedshiftServerlessAdminSecret');
    expect(JSON.stringify(lookup.Properties.Create)).toContain('getNamespace');
    expect(lookup.Properties.InstallLatestAwsSdk).toBe(false);
    const granted = statementsOfRole(logicalId(stack.analytics.warehouse.adminSecretLookupRole)).filter(
      (s) => !actionsOf(s).every((a) => a.startsWith('logs:')),
    );
    expect(granted).toEqual([
      {
        Effect: 'Allow',
        Action: 'redshift-serverless:GetNamespace',
        Resource: getAtt(stack.analytics.warehouse.namespace, 'Namespace.NamespaceArn'),
      },
    ]);
  });
});

describe('QuickSight', () => {
  const analysts = {
    'Fn::Join': [
      '',
      [
        'arn:',
        { Ref: 'AWS::Partition' },
        ':quicksight:',
        { Ref: 'AWS::Region' },
        ':',
        { Ref: 'AWS::AccountId' },
        ':group/default/analysts',
      ],
    ],
  };
  const dashboard = () => resources[logicalId(stack.analytics.dashboards.dashboard)].Properties;

  it('has a Redshift data source on the workgroup endpoint, with the secret, SSL on, through the VPC connection', () => {
    const source = resources[logicalId(stack.analytics.dashboards.dataSource)].Properties;
    expect(source).toMatchObject({
      Type: 'REDSHIFT',
      DataSourceParameters: {
        RedshiftParameters: {
          Host: getAtt(stack.analytics.warehouse.workgroup, 'Workgroup.Endpoint.Address'),
          Port: getAtt(stack.analytics.warehouse.workgroup, 'Workgroup.Endpoint.Port'),
          Database: 'ecicomm',
        },
      },
      Credentials: {
        SecretArn: getAtt(stack.analytics.warehouse.adminSecretLookup, 'namespace.adminPasswordSecretArn'),
      },
      SslProperties: { DisableSsl: false },
      VpcConnectionProperties: { VpcConnectionArn: getAtt(stack.analytics.dashboards.vpcConnection, 'Arn') },
    });
    const connection = resources[logicalId(stack.analytics.dashboards.vpcConnection)].Properties;
    expect(connection.SubnetIds).toEqual(workgroupSubnets());
  });

  it('has a DIRECT_QUERY data set on each of the four views, with the columns the migrations create', () => {
    for (const view of WAREHOUSE_VIEWS) {
      const dataSet = resources[logicalId(stack.analytics.dashboards.dataSets[view])].Properties;
      expect(dataSet.ImportMode).toBe('DIRECT_QUERY');
      const tables = Object.values<{ RelationalTable: Record<string, unknown> }>(dataSet.PhysicalTableMap);
      expect(tables).toEqual([
        {
          RelationalTable: {
            DataSourceArn: getAtt(stack.analytics.dashboards.dataSource, 'Arn'),
            Schema: 'public',
            Name: view,
            InputColumns: Object.entries(warehouseViews[view]).map(([Name, Type]) => ({ Name, Type })),
          },
        },
      ]);
    }
    expect(WAREHOUSE_VIEWS.sort()).toEqual([
      'customer_behavior_analysis',
      'daily_sales_summary',
      'inventory_turnover_metrics',
      'product_performance_metrics',
    ]);
  });

  it('has the conversion funnel as rows, from customer_behavior_analysis', () => {
    const dataSet = resources[logicalId(stack.analytics.dashboards.funnelDataSet)].Properties;
    const [table] = Object.values<{ CustomSql: { SqlQuery: string } }>(dataSet.PhysicalTableMap);
    expect(table.CustomSql.SqlQuery).toBe(conversionFunnelSql);
    expect(conversionFunnelSql).toContain('FROM customer_behavior_analysis');
  });

  it('has a dashboard with the local page’s four charts, each on a declared data set and on columns that exist', () => {
    const definition = dashboard().Definition;
    const visuals = definition.Sheets.flatMap((s: { Visuals: Record<string, { VisualId: string }>[] }) => s.Visuals);
    const byId = new Map<string, [string, unknown]>(
      visuals.map((v: Record<string, { VisualId: string }>) => {
        const [[kind, body]] = Object.entries(v);
        return [body.VisualId, [kind, body]];
      }),
    );
    expect([...byId.keys()].sort()).toEqual(Object.values(DASHBOARD_VISUALS).sort());
    expect(byId.get(DASHBOARD_VISUALS.revenueAndOrders)![0]).toBe('ComboChartVisual');
    expect(byId.get(DASHBOARD_VISUALS.topProducts)![0]).toBe('BarChartVisual');
    expect(byId.get(DASHBOARD_VISUALS.conversionFunnel)![0]).toBe('FunnelChartVisual');
    expect(byId.get(DASHBOARD_VISUALS.lowStock)![0]).toBe('TableVisual');

    const declared = new Map<string, unknown>(
      definition.DataSetIdentifierDeclarations.map((d: { Identifier: string; DataSetArn: unknown }) => [
        d.Identifier,
        d.DataSetArn,
      ]),
    );
    for (const view of WAREHOUSE_VIEWS)
      expect(declared.get(view)).toEqual(getAtt(stack.analytics.dashboards.dataSets[view], 'Arn'));
    expect(declared.get(conversionFunnel.name)).toEqual(getAtt(stack.analytics.dashboards.funnelDataSet, 'Arn'));

    // Every column the definition names is a column of that data set or one of the dashboard's calculated fields.
    const columnsOf = (identifier: string): string[] => [
      ...Object.keys(
        identifier === conversionFunnel.name
          ? conversionFunnel.columns
          : warehouseViews[identifier as keyof typeof warehouseViews],
      ),
      ...definition.CalculatedFields.filter(
        (f: { DataSetIdentifier: string }) => f.DataSetIdentifier === identifier,
      ).map((f: { Name: string }) => f.Name),
    ];
    const referenced: { DataSetIdentifier: string; ColumnName: string }[] = [];
    JSON.stringify(definition, (key, value) => {
      if ((key === 'Column' || key === 'SortBy') && value?.ColumnName) referenced.push(value);
      return value;
    });
    expect(referenced.length).toBeGreaterThan(10);
    for (const { DataSetIdentifier, ColumnName } of referenced)
      expect(columnsOf(DataSetIdentifier), DataSetIdentifier).toContain(ColumnName);
    for (const field of definition.CalculatedFields as { DataSetIdentifier: string; Expression: string }[]) {
      for (const [, name] of field.Expression.matchAll(/\{(\w+)\}/g))
        expect(columnsOf(field.DataSetIdentifier)).toContain(name);
    }
    // Each visual reads one data set: its own chart's.
    const dataSetsOf = (visualId: string) =>
      new Set([...JSON.stringify(byId.get(visualId)![1]).matchAll(/"DataSetIdentifier":"(\w+)"/g)].map((m) => m[1]));
    expect(dataSetsOf(DASHBOARD_VISUALS.revenueAndOrders)).toEqual(new Set(['daily_sales_summary']));
    expect(dataSetsOf(DASHBOARD_VISUALS.topProducts)).toEqual(new Set(['product_performance_metrics']));
    expect(dataSetsOf(DASHBOARD_VISUALS.conversionFunnel)).toEqual(new Set([conversionFunnel.name]));
    expect(dataSetsOf(DASHBOARD_VISUALS.lowStock)).toEqual(new Set(['inventory_turnover_metrics']));
  });

  it('gives the analysts group use of the data source and data sets and a view of the dashboard, nothing more', () => {
    const permissionsOf = (construct: IConstruct) => resources[logicalId(construct)].Properties.Permissions;
    expect(permissionsOf(stack.analytics.dashboards.dataSource)).toEqual([
      {
        Principal: analysts,
        Actions: [
          'quicksight:DescribeDataSource',
          'quicksight:DescribeDataSourcePermissions',
          'quicksight:PassDataSource',
        ],
      },
    ]);
    for (const dataSet of [
      ...Object.values(stack.analytics.dashboards.dataSets),
      stack.analytics.dashboards.funnelDataSet,
    ]) {
      const [permission] = permissionsOf(dataSet);
      expect(permission.Principal).toEqual(analysts);
      for (const action of permission.Actions) expect(action).toMatch(/^quicksight:(Describe|Pass|List)/);
    }
    expect(permissionsOf(stack.analytics.dashboards.dashboard)).toEqual([
      {
        Principal: analysts,
        Actions: ['quicksight:DescribeDashboard', 'quicksight:ListDashboardVersions', 'quicksight:QueryDashboard'],
      },
    ]);
  });

  it('takes the principal from context when one is set', () => {
    const principal = 'arn:aws:quicksight:eu-west-2:111122223333:group/default/bi-team';
    const app = new App({
      context: { 'aws:cdk:bundling-stacks': [], [QUICKSIGHT_PRINCIPAL_CONTEXT]: principal },
      builtinCloudFormationValidation: false,
    });
    const other = new EciCommStack(app, 'PrincipalTest', { namePrefix: 'ecicomm-test' });
    const template = Template.fromStack(other).toJSON().Resources as Record<string, CfnResource>;
    const quicksight = Object.values(template).filter(
      (r) => r.Type.startsWith('AWS::QuickSight::') && r.Properties.Permissions,
    );
    expect(quicksight).toHaveLength(3 + WAREHOUSE_VIEWS.length);
    for (const r of quicksight)
      expect(r.Properties.Permissions.map((p: { Principal: string }) => p.Principal)).toEqual([principal]);
  });
});

describe('the QuickSight columns against the warehouse the migrations build (PGlite)', () => {
  let warehouse: PgliteWarehouse;
  // PGlite's WASM start and the migrations take ~3 s on an idle machine, past 10 s on a busy shared one.
  beforeAll(async () => {
    warehouse = await PgliteWarehouse.open({});
    await warehouse.migrate();
  }, 120_000);
  afterAll(async () => warehouse?.close());

  const quickSightTypeOf = (pgType: string) =>
    ({
      date: 'DATETIME',
      'timestamp without time zone': 'DATETIME',
      bigint: 'INTEGER',
      integer: 'INTEGER',
      'double precision': 'DECIMAL',
      'character varying': 'STRING',
      text: 'STRING',
    })[pgType];

  it.each(WAREHOUSE_VIEWS)('%s has exactly the columns and types its data set lists', async (view) => {
    const columns = await warehouse.query<{ column_name: string; data_type: string }>(
      'SELECT column_name, data_type FROM information_schema.columns WHERE table_name = $1 ORDER BY ordinal_position',
      [view],
    );
    expect(Object.fromEntries(columns.map((c) => [c.column_name, quickSightTypeOf(c.data_type)]))).toEqual(
      warehouseViews[view],
    );
  });

  it('runs the conversion funnel query, one row per stage and day, in funnel order', async () => {
    await warehouse.execute(
      `INSERT INTO user_behavior (event_id, session_id, user_id, event_type, product_id, value_pence, event_ts, event_date)
       VALUES ('e1', 's1', NULL, 'product_view', 'p1', NULL, TIMESTAMP '2024-03-01 10:00:00', DATE '2024-03-01'),
              ('e2', 's1', NULL, 'product_view', 'p2', NULL, TIMESTAMP '2024-03-01 10:01:00', DATE '2024-03-01'),
              ('e3', 's1', NULL, 'add_to_cart', 'p1', NULL, TIMESTAMP '2024-03-01 10:02:00', DATE '2024-03-01')`,
    );
    const rows = await warehouse.query<{ step: number; stage: string; events: number }>(
      `SELECT step, stage, events FROM (${conversionFunnelSql}) f ORDER BY step`,
    );
    expect(rows.map((r) => [Number(r.step), r.stage, Number(r.events)])).toEqual([
      [1, 'Product views', 2],
      [2, 'Added to cart', 1],
      [3, 'Purchased', 0],
    ]);
  });
});

function workgroupSubnets() {
  return resources[logicalId(stack.analytics.warehouse.workgroup)].Properties.SubnetIds;
}
