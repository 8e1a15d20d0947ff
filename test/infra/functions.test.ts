import { App } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';
import { beforeAll, describe, it } from '@jest/globals';
import { expect } from '../support/expect';
import { streamConsumers, type StreamConsumer } from '../../lib/stream-consumers';
import type { FunctionDefinition, PlatformFunction } from '../../lib/contexts/platform-function';
import { optionalAuthorizerFunction } from '../../lib/contexts/users';
import { eventRules, type EventRuleTarget } from '../../lib/events';
import { imageProcessor } from '../../lib/image-pipeline';
import { routes } from '../../lib/routes';
import { orderSaga, scheduledJobs } from '../../lib/saga';
import { EciCommStack } from '../../lib/stacks/platform-stack';
import { tables as tableSpecs, type TableKey } from '../../lib/tables';
import { buckets as bucketSpecs, type BucketKey } from '../../lib/buckets';
import { allResources, logicalIdOf, referenceFrom } from '../support/cdk-templates';

type CfnResource = { Type: string; Properties: Record<string, any> };
type Statement = { Action: string | string[]; Resource: unknown; Effect: string };

let stack: EciCommStack;
let resources: Record<string, CfnResource>;

const logicalId = (construct: IConstruct) => logicalIdOf(construct);
const actionsOf = (s: Statement) => [s.Action].flat();
const resourcesOf = (s: Statement) => [s.Resource].flat();
const tableKeys = Object.keys(tableSpecs) as TableKey[];

/** Every function of the platform, whoever lists it, with where the stack built it. */
type Built = readonly [kind: string, definition: FunctionDefinition, built: () => PlatformFunction];
const definitions: Built[] = [
  ...routes.map((r): Built => ['route', r, () => stack.api.functions.get(r.id)!]),
  ...orderSaga.tasks.map((t): Built => ['saga task', t, () => stack.checkout.taskFunctions.get(t.id)!]),
  ...scheduledJobs.map((j): Built => ['scheduled job', j, () => stack.checkout.scheduled.get(j.id)!.function]),
  ['authorizer', optionalAuthorizerFunction, () => stack.identity.optionalAuthorizerFunction],
  ...streamConsumers.map((c): Built => ['stream consumer', c, () => builtConsumerOf(c.id).function]),
  ['image function', imageProcessor, () => stack.images.processor],
  ...eventRules.map((r): Built => ['event rule target', r.target, () => stack.events.rules.rules.get(r.id)!.function]),
];
/** A stream consumer as its context built it: the analytics loaders, the search indexer, the audit recorder, the event publishers. */
const builtConsumerOf = (id: string) =>
  stack.analytics.consumers.get(id) ??
  stack.search.consumers.get(id) ??
  stack.audit.consumers.get(id) ??
  stack.events.publishers.consumers.get(id)!;
/** The rule whose target the definition is, if it is one. */
const ruleOf = (definition: FunctionDefinition) => eventRules.find((r) => r.target.id === definition.id);
const cases = definitions.map(([kind, definition, built]) => [`${kind} ${definition.id}`, definition, built] as const);
const propertiesOf = (built: () => PlatformFunction) => resources[logicalId(built().function)].Properties;

/** Every statement of every policy attached to the function's role. */
function allStatementsOf(built: () => PlatformFunction): Statement[] {
  const roleId = logicalId(built().role);
  return Object.values(resources)
    .filter(
      (r) => r.Type === 'AWS::IAM::Policy' && JSON.stringify(r.Properties.Roles) === JSON.stringify([{ Ref: roleId }]),
    )
    .flatMap((r) => r.Properties.PolicyDocument.Statement as Statement[]);
}

const MAPPING_ACTIONS =
  /^(dynamodb:(ListStreams|DescribeStream|GetRecords|GetShardIterator)|kinesis:(DescribeStreamSummary|GetRecords|GetShardIterator|ListShards|SubscribeToShard|DescribeStream|ListStreams|DescribeStreamConsumer)|sqs:(SendMessage|GetQueueAttributes|GetQueueUrl))$/;

/**
 * What a stream consumer's event source mapping grants it: the read of its source stream and the send to its
 * on-failure queue (test/infra/analytics.test.ts checks those exactly). Nothing for other functions.
 */
function isMappingGrant(definition: FunctionDefinition, statement: Statement): boolean {
  const consumer = streamConsumers.find((c) => c.id === definition.id);
  if (!consumer) return false;
  const built = builtConsumerOf(consumer.id);
  const allowed = [
    JSON.stringify(sourceArnOf(consumer)),
    JSON.stringify({ 'Fn::GetAtt': [logicalId(built.failureQueue), 'Arn'] }),
  ];
  return (
    actionsOf(statement).every((a) => MAPPING_ACTIONS.test(a)) &&
    resourcesOf(statement).every(
      (r) =>
        allowed.includes(JSON.stringify(r)) ||
        (r === '*' && actionsOf(statement).every((a) => a === 'dynamodb:ListStreams')),
    )
  );
}

/** The consumer's source as its own stack names it (through a parameter when the consumer is nested). */
const sourceArnOf = ({ id, source }: StreamConsumer) => {
  const user = builtConsumerOf(id).function.function;
  return source.kind === 'table'
    ? referenceFrom(user, stack.data.tables[source.table], 'StreamArn')
    : referenceFrom(
        user,
        source.stream === 'audit' ? stack.audit.stream : stack.analytics.streams[source.stream]!,
        'Arn',
      );
};

/** The statements a function's definition implies: all of them but what its event source mapping adds. */
const statementsOf = (built: () => PlatformFunction): Statement[] =>
  allStatementsOf(built).filter((s) => !isMappingGrant(built().definition, s));

const READ_ACTIONS = ['dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:Scan', 'dynamodb:BatchGetItem'];
const WRITE_ACTIONS = ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:BatchWriteItem'];

beforeAll(() => {
  // No bundling, and CloudFormation's schema validation (4 s) runs once, in cdk-nag.test.ts.
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] }, builtinCloudFormationValidation: false });
  stack = new EciCommStack(app, 'FunctionsTest', { namePrefix: 'ecicomm-test' });
  resources = allResources(stack);
});

describe('every function: routes, saga tasks, scheduled jobs and the authorizer', () => {
  it('exists once per definition, and there are no other functions', () => {
    expect(new Set(definitions.map(([, d]) => d.id)).size).toBe(definitions.length);
    const functions = Object.values(resources).filter((r) => r.Type === 'AWS::Lambda::Function');
    // Besides: aws-cdk-lib's AwsCustomResource provider that reads the warehouse's admin secret ARN at deployment.
    const lookupRole = { 'Fn::GetAtt': [logicalId(stack.analytics.warehouse.adminSecretLookupRole), 'Arn'] };
    // And its BucketNotificationsHandler, which sets the images bucket's notification to the image function.
    const notificationsHandler = functions.filter((f) =>
      JSON.stringify(f.Properties.Role).includes('BucketNotificationsHandler'),
    );
    expect(notificationsHandler).toHaveLength(1);
    const others = [
      ...functions.filter((f) => JSON.stringify(f.Properties.Role) === JSON.stringify(lookupRole)),
      ...notificationsHandler,
    ];
    expect(others).toHaveLength(2);
    expect(functions).toHaveLength(definitions.length + others.length);
    for (const [name, , built] of cases) expect(propertiesOf(built).Handler, name).toBe('index.handler');
  });

  it.each(cases)('%s runs nodejs22.x on arm64 with active tracing', (_, __, built) => {
    const fn = propertiesOf(built);
    expect(fn.Runtime).toBe('nodejs22.x');
    expect(fn.Architectures).toEqual(['arm64']);
    expect(fn.TracingConfig).toEqual({ Mode: 'Active' });
  });

  it.each(cases)('%s runs as a role whose description IAM accepts', (_, __, built) => {
    expect(resources[logicalId(built().role)].Properties.Description).toMatch(
      /^[\t\n\r\u0020-\u007E\u00A1-\u00FF]{1,1000}$/,
    );
  });

  it.each(cases)('%s logs to its own log group with a retention', (_, __, built) => {
    const logGroupId = logicalId(built().logGroup);
    expect(propertiesOf(built).LoggingConfig.LogGroup).toEqual({ Ref: logGroupId });
    expect(resources[logGroupId].Properties.RetentionInDays).toBeGreaterThan(0);
  });

  it.each(cases)('%s gets exactly the environment its definition implies', (_, definition, built) => {
    const expected: Record<string, unknown> = {
      POWERTOOLS_SERVICE_NAME: definition.context,
      // Outside a pipeline stage, the business metrics' stage dimension is the stack's name.
      ECICOMM_STAGE: 'FunctionsTest',
      NODE_OPTIONS: '--enable-source-maps',
    };
    for (const key of Object.keys(definition.tables ?? {}) as TableKey[])
      expected[tableSpecs[key].envVar] = referenceFrom(built().function, stack.data.tables[key]);
    if (definition.userPoolActions !== undefined) {
      expected.USER_POOL_ID = referenceFrom(built().function, stack.identity.userPool);
      expected.USER_POOL_CLIENT_ID = referenceFrom(built().function, stack.identity.userPoolClient);
    }
    if (definition.startsSaga || definition.describesSagaExecutions)
      expected.ORDER_SAGA_ARN = referenceFrom(built().function, stack.checkout.stateMachine);
    if (definition.streams?.clickstream)
      expected.CLICKSTREAM_STREAM = referenceFrom(built().function, stack.analytics.clickstream);
    if (definition.streams?.audit) expected.AUDIT_STREAM = referenceFrom(built().function, stack.audit.stream);
    if (definition.sagemakerEndpoint)
      expected.SAGEMAKER_ENDPOINT_NAME = referenceFrom(
        built().function,
        stack.recommendations.endpoint,
        'EndpointName',
      );
    if (definition.insightsEndpoint)
      expected.INSIGHTS_ENDPOINT_NAME = referenceFrom(built().function, stack.insightsModel.endpoint, 'EndpointName');
    if (definition.warehouse) {
      expected.REDSHIFT_WORKGROUP = referenceFrom(
        built().function,
        stack.analytics.warehouse.workgroup,
        'Workgroup.WorkgroupName',
      );
      expected.REDSHIFT_DATABASE = 'ecicomm';
      // Only the loaders sign in with the admin credentials.
      if (definition.warehouse === 'write')
        expected.REDSHIFT_SECRET_ARN = referenceFrom(
          built().function,
          stack.analytics.warehouse.adminSecretLookup,
          'namespace.adminPasswordSecretArn',
        );
    }
    if (definition.search) {
      expected.OPENSEARCH_ENDPOINT = {
        'Fn::Join': ['', ['https://', referenceFrom(built().function, stack.search.domain, 'DomainEndpoint')]],
      };
      expected.OPENSEARCH_SIGNING_SERVICE = 'es';
    }
    const bucketsBuilt: Partial<Record<BucketKey, IConstruct>> = {
      orderArchive: stack.orderArchive.bucket,
      images: stack.images.bucket,
    };
    for (const key of Object.keys(definition.buckets ?? {}) as BucketKey[])
      expected[bucketSpecs[key].envVar] = referenceFrom(built().function, bucketsBuilt[key]!);
    if ((definition as Partial<StreamConsumer>).domainEvents === 'publish') {
      expected.EVENT_BUS_NAME = referenceFrom(built().function, stack.events.bus);
      expected.STOCK_LOW_THRESHOLD = '5';
    }
    if ((definition as Partial<EventRuleTarget>).sendsEmail) {
      expected.SES_FROM_ADDRESS = 'no-reply@example.com';
      expected.SES_CONFIGURATION_SET = referenceFrom(built().function, stack.notifications.configurationSet);
    }
    if (definition.id === imageProcessor.id)
      expected.IMAGES_BASE_URL = {
        'Fn::Join': ['', ['https://', referenceFrom(built().function, stack.images.distribution, 'DomainName')]],
      };
    // HTTP functions answer browsers with the stage's allowed origins (none here; test/infra/cors.test.ts).
    if (routes.includes(definition as (typeof routes)[number])) expected.CORS_ALLOWED_ORIGINS = '';
    expect(propertiesOf(built).Environment.Variables).toEqual(expected);
  });
});

describe('least privilege', () => {
  it.each(cases)(
    '%s may touch only the tables its definition names, at the access it names',
    (name, definition, built) => {
      const named = definition.tables ?? {};
      const dynamo = statementsOf(built).filter((s) => actionsOf(s).some((a) => a.startsWith('dynamodb:')));
      // How this function's stack names a table: its logical id, or the parameter that passes it into a nested stack.
      const tableIdIn = (k: TableKey) =>
        (JSON.stringify(referenceFrom(built().function, stack.data.tables[k])).match(/"Ref":"([^"]+?)(Ref)?"/) ??
          [])[1];
      for (const statement of dynamo) {
        for (const resource of resourcesOf(statement)) {
          // Only this app's tables (and their own indexes), never a literal ARN, let alone a wildcard one.
          expect(resource, JSON.stringify(resource)).not.toBe('*');
          expect(typeof resource, JSON.stringify(resource)).toBe('object');
          const key = tableKeys.find((k) => JSON.stringify(resource).includes(`"${tableIdIn(k)}`));
          expect(key, `${name}: ${JSON.stringify(resource)}`).toBeDefined();
          expect(Object.keys(named), `${name} touches ${key}`).toContain(key);
        }
      }
      for (const key of tableKeys) {
        const actions = dynamo
          .filter((s) => resourcesOf(s).some((r) => JSON.stringify(r).includes(`"${tableIdIn(key)}`)))
          .flatMap(actionsOf);
        const access = named[key];
        const reads = access === 'read' || access === 'readwrite';
        const writes = access === 'write' || access === 'readwrite';
        for (const action of READ_ACTIONS) expect(actions.includes(action), `${name} ${key} ${action}`).toBe(reads);
        for (const action of WRITE_ACTIONS) expect(actions.includes(action), `${name} ${key} ${action}`).toBe(writes);
      }
    },
  );

  it.each(cases)('%s may call exactly its user-pool actions, on the pool only', (_, definition, built) => {
    const cognito = statementsOf(built).filter((s) => actionsOf(s).some((a) => a.startsWith('cognito-idp:')));
    const actions = definition.userPoolActions ?? [];
    if (actions.length === 0) {
      expect(cognito).toEqual([]);
      return;
    }
    expect(cognito.flatMap(actionsOf).sort()).toEqual([...actions].sort());
    for (const statement of cognito) {
      expect(resourcesOf(statement)).toEqual([referenceFrom(built().function, stack.identity.userPool, 'Arn')]);
    }
  });

  it.each(cases)(
    '%s may start executions of the saga, or read their status, and only its, exactly when its definition says so',
    (_, definition, built) => {
      const states = statementsOf(built).filter((s) => actionsOf(s).some((a) => a.startsWith('states:')));
      const expected = [
        ...(definition.startsSaga ? ['states:StartExecution'] : []),
        ...(definition.describesSagaExecutions ? ['states:DescribeExecution'] : []),
      ];
      expect(states.flatMap(actionsOf).sort()).toEqual(expected.sort());
      for (const statement of states) {
        if (actionsOf(statement).includes('states:StartExecution'))
          expect(resourcesOf(statement)).toEqual([referenceFrom(built().function, stack.checkout.stateMachine)]);
        // The saga's executions only: arn:…:execution:<state machine name>:*
        else
          expect(JSON.stringify(resourcesOf(statement))).toMatch(
            new RegExp(
              `:execution:.*${(referenceFrom(built().function, stack.checkout.stateMachine) as { Ref: string }).Ref}.*:\\*`,
            ),
          );
      }
    },
  );

  it.each(cases)(
    '%s may invoke each model endpoint (recommendations, insights), and only it, exactly when its definition says so',
    (_, definition, built) => {
      const sagemaker = statementsOf(built).filter((s) => actionsOf(s).some((a) => a.startsWith('sagemaker:')));
      const endpoints = [
        ...(definition.sagemakerEndpoint ? [stack.recommendations.endpoint] : []),
        ...(definition.insightsEndpoint ? [stack.insightsModel.endpoint] : []),
      ];
      expect(sagemaker.flatMap(actionsOf)).toEqual(endpoints.map(() => 'sagemaker:InvokeEndpoint'));
      expect(sagemaker.flatMap(resourcesOf)).toEqual(
        endpoints.map((endpoint) => referenceFrom(built().function, endpoint)),
      );
    },
  );

  it.each(cases)(
    '%s is admitted to the search domain exactly when its definition uses search, at the access it names',
    (_, definition, built) => {
      const admitted = stack.search.admitted.filter((a) => a.role === built().role);
      expect(admitted.map((a) => a.access)).toEqual(definition.search ? [definition.search] : []);
      // Through the domain's access policy only: no identity policy of the role names an es: action.
      expect(statementsOf(built).filter((s) => actionsOf(s).some((a) => a.startsWith('es:')))).toEqual([]);
    },
  );

  it.each(cases)(
    '%s may use the streams it names, and only them, at the access its definition names',
    (_, definition, built) => {
      const kinesis = statementsOf(built).filter((s) => actionsOf(s).some((a) => a.startsWith('kinesis:')));
      const built_ = { clickstream: stack.analytics.clickstream, audit: stack.audit.stream };
      const named = Object.entries(definition.streams ?? {}) as [keyof typeof built_, 'read' | 'write'][];
      const arnOf = (key: keyof typeof built_) => referenceFrom(built().function, built_[key], 'Arn');
      for (const statement of kinesis)
        expect(named.map(([key]) => JSON.stringify(arnOf(key)))).toContain(JSON.stringify(resourcesOf(statement)[0]));
      for (const [key, access] of named) {
        const actions = kinesis
          .filter((s) => JSON.stringify(resourcesOf(s)) === JSON.stringify([arnOf(key)]))
          .flatMap(actionsOf);
        if (access === 'write') {
          expect(actions).toContain('kinesis:PutRecord');
          for (const action of actions) expect(action).not.toMatch(/^kinesis:(Get|Subscribe)/);
        } else {
          expect(actions).toContain('kinesis:DescribeStreamSummary');
          for (const action of actions)
            expect(action).not.toMatch(/^kinesis:(Put|Delete|Update|Merge|Split|Create|Increase|Decrease)/);
        }
      }
      if (!named.length) expect(kinesis).toEqual([]);
    },
  );

  it.each(routes.map((r) => [r.id, r] as const))(
    'route %s writes to the audit stream exactly when it is audited (any method but GET, except the clickstream)',
    (_, route) => {
      expect(route.streams?.audit).toBe(route.method !== 'GET' && route.id !== 'putEvents' ? 'write' : undefined);
    },
  );

  it.each(cases)(
    '%s has no other permissions than logs, traces, tables, its user-pool actions, starting the saga, invoking the model, its streams, the warehouse and putting domain events',
    (_, definition, built) => {
      const logGroupArn = { 'Fn::GetAtt': [logicalId(built().logGroup), 'Arn'] };
      for (const statement of statementsOf(built)) {
        expect(statement.Effect).toBe('Allow');
        for (const action of actionsOf(statement)) {
          const service = action.split(':')[0];
          expect(
            [
              'logs',
              'xray',
              'dynamodb',
              'cognito-idp',
              'states',
              'sagemaker',
              'kinesis',
              'redshift-data',
              'redshift-serverless',
              'tag',
              'secretsmanager',
              'events',
              ...(definition.buckets ? ['s3'] : []),
              // An event rule's function sends what it gave up on to its dead-letter queue, and may send e-mail.
              ...(ruleOf(definition) ? ['sqs'] : []),
              ...((definition as Partial<EventRuleTarget>).sendsEmail ? ['ses'] : []),
            ],
            action,
          ).toContain(service);
          // Which bus, is checked in test/infra/events.test.ts.
          if (service === 'events') {
            expect((definition as Partial<StreamConsumer>).domainEvents, action).toBe('publish');
            expect(action).toBe('events:PutEvents');
          }
          // Which warehouse actions, on what, is checked in test/infra/analytics.test.ts.
          if (['redshift-data', 'redshift-serverless', 'tag', 'secretsmanager'].includes(service))
            expect(definition.warehouse, action).toBeDefined();
          if (service === 'logs') expect(resourcesOf(statement), action).toEqual([logGroupArn]);
          // Only the buckets it names (which objects and actions: test/infra/backup.test.ts).
          if (service === 's3') expect(definition.buckets, action).toBeDefined();
          if (service === 'xray') expect(['xray:PutTraceSegments', 'xray:PutTelemetryRecords']).toContain(action);
          // Which identity and configuration set: test/infra/notifications.test.ts.
          if (service === 'ses') expect(action).toBe('ses:SendEmail');
          if (service === 'sqs') {
            expect(action).toMatch(/^sqs:(SendMessage|GetQueueAttributes|GetQueueUrl)$/);
            const queue = stack.events.rules.rules.get(ruleOf(definition)!.id)!.deadLetterQueue;
            expect(resourcesOf(statement)).toEqual([{ 'Fn::GetAtt': [logicalId(queue), 'Arn'] }]);
          }
        }
      }
      const role = resources[logicalId(built().role)].Properties;
      expect(role.ManagedPolicyArns ?? []).toEqual([]);
      expect(role.Policies ?? []).toEqual([]);
    },
  );

  it('only the recommendations function and the analytics routes that read the insights model may invoke an endpoint', () => {
    const invokers = definitions.filter(([, , built]) =>
      statementsOf(built).some((s) => actionsOf(s).some((a) => a.startsWith('sagemaker:'))),
    );
    expect(invokers.map(([, d]) => d.id)).toEqual([
      'getRecommendations',
      'analyticsInsights',
      'analyticsForecast',
      'analyticsSegments',
      'analyticsSegmentCustomers',
      'analyticsPricing',
    ]);
  });

  it('only place-order may start the saga', () => {
    const starters = definitions.filter(([, , built]) =>
      statementsOf(built).some((s) => actionsOf(s).includes('states:StartExecution')),
    );
    expect(starters.map(([, d]) => d.id)).toEqual(['placeOrder']);
  });
});
