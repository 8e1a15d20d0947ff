/**
 * The stage's operations (lib/contexts/operations/): in a nested stack of its own, an alarm topic with on-call's
 * e-mail when one is given (also on every context's alarm topic), the dashboard `<prefix>-operations` charting
 * the API by route, every function, the saga, every dead-letter queue, every stream consumer, every table and every
 * business metric of the catalog, and alarms that each notify the topic and carry a runbook line.
 */
import { App, NestedStack, Stack, Stage } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { Table } from 'aws-cdk-lib/aws-dynamodb';
import { Queue } from 'aws-cdk-lib/aws-sqs';
import type { IConstruct } from 'constructs';
import { beforeAll, describe, expect, it } from '@jest/globals';
import { BUSINESS_METRICS, METRICS_NAMESPACE } from '../../functions/shared/business-metrics';
import { PlatformFunction } from '../../lib/contexts/platform-function';
import { StreamConsumers } from '../../lib/contexts/stream-consumers';
import { EciCommStack, type EciCommStackProps } from '../../lib/stacks/platform-stack';
import { allResources, logicalIdOf, referenceFrom } from '../support/cdk-templates';
import { routes } from '../../lib/routes';

type CfnResource = { Type: string; Properties: Record<string, any> };
type Template_ = { Resources: Record<string, CfnResource>; Parameters?: object; Outputs?: object };
/** A dashboard metric line: [namespace, name, dimension, value, …, { options }]. */
type MetricLine = (string | Record<string, unknown>)[];
type Widget = { type: string; properties: { title?: string; metrics?: MetricLine[]; alarms?: string[] } };

const PREFIX = 'ecicomm-test';

const build = (props: Partial<EciCommStackProps> = {}, context: Record<string, unknown> = {}) => {
  const app = new App({
    context: { 'aws:cdk:bundling-stacks': [], ...context },
    builtinCloudFormationValidation: false,
  });
  const stack = new EciCommStack(app, 'OpsTest', { namePrefix: PREFIX, ...props });
  const operationsStack = Stack.of(stack.operations);
  return { stack, operationsStack, template: Template.fromStack(operationsStack).toJSON() as Template_ };
};

const ofType = (template: Template_, type: string) =>
  Object.entries(template.Resources).filter(([, r]) => r.Type === type);

/**
 * The dashboard body as CloudFormation joins it, each reference (a parameter of the nested stack, an alarm's ARN)
 * written as `ref:<name>`: it stands inside JSON strings, so the body parses.
 */
function dashboardBody(template: Template_): { widgets: Widget[] } {
  const [[, dashboard]] = ofType(template, 'AWS::CloudWatch::Dashboard');
  const parts = dashboard.Properties.DashboardBody['Fn::Join'][1] as unknown[];
  const text = parts.map((p) => (typeof p === 'string' ? p : placeholder(p))).join('');
  return JSON.parse(text) as { widgets: Widget[] };
}
const placeholder = (token: unknown) => {
  const t = token as { Ref?: string; 'Fn::GetAtt'?: string[] };
  return t.Ref ? `ref:${t.Ref}` : `ref:${t['Fn::GetAtt']!.join('.')}`;
};
/** The same, as the dashboard body shows it. */
const refIn = (user: IConstruct, target: IConstruct, attribute?: string) =>
  placeholder(referenceFrom(user, target, attribute));

const lines = (widgets: Widget[]) => widgets.flatMap((w) => w.properties.metrics ?? []);
const dimension = (line: MetricLine, name: string) => line[line.indexOf(name) + 1] as string;
const linesOf = (widgets: Widget[], namespace: string, metricName: string) =>
  lines(widgets).filter((l) => l[0] === namespace && l[1] === metricName);
const chartedValues = (widgets: Widget[], namespace: string, metricName: string, dimensionName: string) =>
  linesOf(widgets, namespace, metricName).map((l) => dimension(l, dimensionName));
const expressions = (widgets: Widget[]) =>
  lines(widgets)
    .map((l) => l.find((x): x is { expression: string } => typeof x === 'object' && 'expression' in x))
    .filter((x) => x !== undefined)
    .map((x) => x.expression);

let stack: EciCommStack;
let template: Template_;
let widgets: Widget[];
let ops: IConstruct;

beforeAll(() => {
  ({ stack, template } = build());
  ops = stack.operations;
  widgets = dashboardBody(template).widgets;
});

const inStage = <T>(type: abstract new (...args: never[]) => T) =>
  stack.node.findAll().filter((c): c is T & IConstruct => c instanceof type);

describe('the operations nested stack', () => {
  it('is a nested stack of its own: the parent stack gains only the nested stack resource', () => {
    expect(Stack.of(ops)).toBeInstanceOf(NestedStack);
    expect(Stack.of(ops).node.id).toBe('Operations');
    const parent = Template.fromStack(stack).toJSON() as Template_;
    expect(ofType(parent, 'AWS::CloudWatch::Dashboard')).toEqual([]);
    expect(ofType(template, 'AWS::CloudWatch::Alarm').length).toBeGreaterThan(0);
    for (const [, alarm] of ofType(parent, 'AWS::CloudWatch::Alarm'))
      expect(String(alarm.Properties.AlarmName)).not.toContain('-ops-');
  });

  it("stays within CloudFormation's limits: 200 parameters and outputs a template, a dashboard body under 1 MB", () => {
    expect(Object.keys(template.Parameters ?? {}).length).toBeLessThan(200);
    expect(Object.keys(template.Outputs ?? {}).length).toBeLessThan(200);
    const downstream = Template.fromStack(stack.downstream).toJSON() as Template_;
    expect(Object.keys(downstream.Outputs ?? {}).length).toBeLessThan(200);
    const [[, dashboard]] = ofType(template, 'AWS::CloudWatch::Dashboard');
    expect(JSON.stringify(dashboard.Properties.DashboardBody).length).toBeLessThan(1_000_000);
  });
});

describe('the dashboard', () => {
  it(`is named <prefix>-operations`, () => {
    const [[, dashboard]] = ofType(template, 'AWS::CloudWatch::Dashboard');
    expect(dashboard.Properties.DashboardName).toBe(`${PREFIX}-operations`);
  });

  it('charts 5xx, 4xx and p99 latency of every route, by method and resource of the v1 stage', () => {
    const methods = [...stack.api.methods.values()];
    expect(methods.length).toBeGreaterThan(20);
    for (const metricName of ['5XXError', '4XXError', 'Latency']) {
      const charted = linesOf(widgets, 'AWS/ApiGateway', metricName);
      expect(charted.map((l) => `${dimension(l, 'Method')} ${dimension(l, 'Resource')}`).sort()).toEqual(
        methods.map((m) => `${m.httpMethod} ${m.resource.path}`).sort(),
      );
      for (const line of charted) {
        expect(dimension(line, 'ApiName')).toBe(`${PREFIX}-api`);
        expect(dimension(line, 'Stage')).toBe('v1');
      }
    }
    const p99 = linesOf(widgets, 'AWS/ApiGateway', 'Latency').map((l) => (l.at(-1) as { stat: string }).stat);
    expect(new Set(p99)).toEqual(new Set(['p99']));
  });

  it('turns on detailed (per-method) metrics on the API stage, without which the per-route metrics do not exist', () => {
    const parent = Template.fromStack(stack).toJSON() as Template_;
    const [[, apiStage]] = ofType(parent, 'AWS::ApiGateway::Stage');
    expect(apiStage.Properties.MethodSettings).toContainEqual(
      expect.objectContaining({ HttpMethod: '*', ResourcePath: '/*', MetricsEnabled: true }),
    );
  });

  it('charts errors, throttles and duration of every function of the stage', () => {
    const functions = inStage(PlatformFunction);
    expect(functions.length).toBeGreaterThan(50);
    const expected = functions.map((fn) => refIn(ops, fn.function)).sort();
    for (const metricName of ['Errors', 'Throttles', 'Duration'])
      expect(chartedValues(widgets, 'AWS/Lambda', metricName, 'FunctionName').sort()).toEqual(expected);
  });

  it("charts the checkout saga's executions started, succeeded, failed, timed out, and their duration", () => {
    const arn = refIn(ops, stack.checkout.stateMachine);
    for (const metricName of [
      'ExecutionsStarted',
      'ExecutionsSucceeded',
      'ExecutionsFailed',
      'ExecutionsTimedOut',
      'ExecutionTime',
    ])
      expect(chartedValues(widgets, 'AWS/States', metricName, 'StateMachineArn')).toContain(arn);
  });

  it('charts the arrivals in and the depth of every dead-letter and on-failure queue of the stage', () => {
    const queues = inStage(Queue);
    expect(queues.map((q) => q.node.id)).toEqual(
      expect.arrayContaining([
        'CompensationDeadLetterQueue',
        'loadOrdersStreamFailures',
        'notifyShopperOfOrdersDeadLetters',
      ]),
    );
    for (const metricName of ['NumberOfMessagesSent', 'ApproximateNumberOfMessagesVisible'])
      expect(chartedValues(widgets, 'AWS/SQS', metricName, 'QueueName').sort()).toEqual(
        queues.map((q) => refIn(ops, q, 'QueueName')).sort(),
      );
  });

  it('charts the iterator age of every DynamoDB-stream and Kinesis consumer', () => {
    const consumers = inStage(StreamConsumers).flatMap((c) => [...c.consumers.values()]);
    expect(consumers.map((c) => c.consumer.source.kind)).toEqual(expect.arrayContaining(['table', 'stream']));
    expect(chartedValues(widgets, 'AWS/Lambda', 'IteratorAge', 'FunctionName').sort()).toEqual(
      consumers.map((c) => refIn(ops, c.function.function)).sort(),
    );
  });

  it('charts read and write throttle events of every table', () => {
    const tables = inStage(Table)
      .map((t) => refIn(ops, t))
      .sort();
    expect(tables.length).toBeGreaterThan(10);
    for (const metricName of ['ReadThrottleEvents', 'WriteThrottleEvents'])
      expect(chartedValues(widgets, 'AWS/DynamoDB', metricName, 'TableName').sort()).toEqual(tables);
  });

  it('charts every business metric of the catalog, with its service and the stage, and its own dimension by SEARCH', () => {
    const specs = Object.values(BUSINESS_METRICS);
    const searches = expressions(widgets).filter((e) => e.startsWith('SEARCH('));
    for (const spec of specs) {
      if ('dimension' in spec) {
        expect(searches).toContainEqual(
          `SEARCH('{${METRICS_NAMESPACE},${spec.dimension},service,stage} MetricName="${spec.name}" service="${spec.service}" stage="${PREFIX}"', 'Sum', 300)`,
        );
        continue;
      }
      const charted = linesOf(widgets, METRICS_NAMESPACE, spec.name);
      expect(charted.length).toBeGreaterThan(0);
      for (const line of charted) {
        expect(dimension(line, 'service')).toBe(spec.service);
        expect(dimension(line, 'stage')).toBe(PREFIX);
      }
    }
    // And nothing the catalog does not list.
    const names = new Set(specs.map((s) => s.name));
    for (const line of lines(widgets).filter((l) => l[0] === METRICS_NAMESPACE)) expect(names).toContain(line[1]);
    expect(searches).toHaveLength(specs.filter((s) => 'dimension' in s).length);
  });

  it("shows the state of every one of the stage's operations alarms", () => {
    const alarmWidget = widgets.find((w) => w.type === 'alarm')!;
    const alarms = ofType(template, 'AWS::CloudWatch::Alarm').map(([id]) => `ref:${id}.Arn`);
    expect([...alarmWidget.properties.alarms!].sort()).toEqual(alarms.sort());
  });
});

type MetricQuery = {
  Id: string;
  Expression?: string;
  MetricStat?: { Metric: { Namespace: string; MetricName: string; Dimensions?: { Name: string; Value: unknown }[] } };
};
const alarms = (): Record<string, any>[] =>
  ofType(template, 'AWS::CloudWatch::Alarm').map(([id, r]) => ({ id, ...r.Properties }));
const alarmNamed = (name: string) => alarms().filter((a) => String(a.AlarmName).startsWith(`${PREFIX}-ops-${name}`));
/** The metrics an alarm reads: its own, or those of its math. */
const alarmMetrics = (alarm: Record<string, any>) =>
  alarm.Metrics
    ? (alarm.Metrics as MetricQuery[]).flatMap((q) => (q.MetricStat ? [q.MetricStat.Metric] : []))
    : [{ Namespace: alarm.Namespace, MetricName: alarm.MetricName, Dimensions: alarm.Dimensions }];
const dimensionOf = (metric: { Dimensions?: { Name: string; Value: unknown }[] }, name: string) =>
  metric.Dimensions?.find((d) => d.Name === name)?.Value;

describe('the alarms', () => {
  it('each notifies the stage topic and says in its description what it means, what to check and how to mitigate', () => {
    const topic = { Ref: logicalIdOf(stack.operations.topic) };
    expect(alarms().length).toBeGreaterThan(10);
    for (const alarm of alarms()) {
      expect(alarm.AlarmActions).toEqual([topic]);
      expect(alarm.AlarmDescription.length).toBeGreaterThan(150);
      expect(alarm.AlarmDescription.length).toBeLessThanOrEqual(1024);
      expect(alarm.AlarmDescription).toMatch(/check/i);
    }
  });

  it('cover API 5xx rate and p99, Lambda errors and throttles, saga failures, dead letters, iterator age, DynamoDB throttles and the business', () => {
    for (const name of [
      'api-5xx-rate',
      'api-latency-p99',
      'lambda-errors',
      'lambda-throttles',
      'saga-failures',
      'dead-letters',
      'iterator-age',
      'dynamodb-throttles',
      'payment-decline-spike',
      'no-orders-confirmed',
    ])
      expect(alarmNamed(name).length).toBeGreaterThan(0);
  });

  it('use at most 10 metrics each, as CloudWatch requires of metric math alarms', () => {
    for (const alarm of alarms()) expect(alarmMetrics(alarm).length).toBeLessThanOrEqual(10);
  });

  it('watch every function for errors and throttles, every queue, every consumer and every table, in groups', () => {
    const watched = (name: string, metricName: string, dimensionName: string) =>
      alarmNamed(name)
        .flatMap(alarmMetrics)
        .filter((m) => m.MetricName === metricName)
        .map((m) => dimensionOf(m, dimensionName));
    const functions = inStage(PlatformFunction).map((fn) => referenceFrom(ops, fn.function));
    expect(watched('lambda-errors', 'Errors', 'FunctionName')).toEqual(expect.arrayContaining(functions));
    expect(watched('lambda-errors', 'Errors', 'FunctionName')).toHaveLength(functions.length);
    expect(watched('lambda-throttles', 'Throttles', 'FunctionName')).toHaveLength(functions.length);
    const queues = inStage(Queue).map((q) => referenceFrom(ops, q, 'QueueName'));
    expect(watched('dead-letters', 'ApproximateNumberOfMessagesVisible', 'QueueName').sort()).toEqual(
      expect.arrayContaining(queues),
    );
    const consumers = inStage(StreamConsumers).flatMap((c) => [...c.consumers.values()]);
    expect(watched('iterator-age', 'IteratorAge', 'FunctionName')).toHaveLength(consumers.length);
    const tables = inStage(Table).map((t) => referenceFrom(ops, t));
    expect(watched('dynamodb-throttles', 'WriteThrottleEvents', 'TableName')).toEqual(expect.arrayContaining(tables));
  });

  it('alarm on a 5xx percentage of the whole API stage, and on the saga failing, timing out or being aborted', () => {
    const [api] = alarmNamed('api-5xx-rate');
    expect(api.Metrics.find((q: MetricQuery) => q.Expression)?.Expression).toBe(
      'IF(requests >= 10, 100 * errors / requests, 0)',
    );
    expect(alarmMetrics(api).map((m) => [m.MetricName, m.Dimensions])).toEqual(
      expect.arrayContaining([
        [
          '5XXError',
          [
            { Name: 'ApiName', Value: `${PREFIX}-api` },
            { Name: 'Stage', Value: 'v1' },
          ],
        ],
        [
          'Count',
          [
            { Name: 'ApiName', Value: `${PREFIX}-api` },
            { Name: 'Stage', Value: 'v1' },
          ],
        ],
      ]),
    );
    const [saga] = alarmNamed('saga-failures');
    expect(alarmMetrics(saga).map((m) => m.MetricName)).toEqual([
      'ExecutionsFailed',
      'ExecutionsTimedOut',
      'ExecutionsAborted',
    ]);
  });

  it("alarm on the catalog's business metrics: declines against orders placed, and orders placed but none confirmed", () => {
    const business = (name: string) =>
      alarmMetrics(alarmNamed(name)[0]).map((m) => [
        m.Namespace,
        m.MetricName,
        dimensionOf(m, 'service'),
        dimensionOf(m, 'stage'),
      ]);
    const { ordersPlaced, ordersConfirmed, paymentDeclines } = BUSINESS_METRICS;
    const of = (spec: { name: string; service: string }) => [METRICS_NAMESPACE, spec.name, spec.service, PREFIX];
    expect(business('payment-decline-spike')).toEqual([of(ordersPlaced), of(paymentDeclines)]);
    expect(business('no-orders-confirmed')).toEqual([of(ordersPlaced), of(ordersConfirmed)]);
  });

  it('give CodeDeploy the API 5xx alarm and the Lambda errors alarms to roll a canary back on, 10 at most', () => {
    const { deploymentAlarms, alarms: built } = stack.operations;
    expect(deploymentAlarms).toEqual([built.api5xxRate, ...built.lambdaErrors]);
    expect(deploymentAlarms.length).toBeLessThanOrEqual(10);
  });
});

describe("on-call's e-mail", () => {
  const emailSubscriptions = (t: Template_) =>
    ofType(t, 'AWS::SNS::Subscription')
      .map(([, r]) => r.Properties)
      .filter((p) => p.Protocol === 'email');

  it('is subscribed to nothing when no address is given', () => {
    expect(emailSubscriptions(template)).toEqual([]);
    expect(stack.operations.alarmEmail).toBeUndefined();
  });

  it('is subscribed to the stage topic and to every context alarm topic and the backup failure topic when given', () => {
    const given = build({ alarmEmail: 'oncall@example.org' });
    const subscriptions = emailSubscriptions(given.template);
    const s = given.stack;
    const topics = [
      s.checkout.alarmTopic,
      s.analytics.alarmTopic,
      s.search.alarmTopic,
      s.events.alarmTopic,
      s.audit.alarmTopic,
      s.backup.failureTopic,
      s.insightsModel.alarmTopic,
    ].map((t) => referenceFrom(s.operations, t));
    expect(subscriptions.map((p) => p.TopicArn)).toEqual(
      expect.arrayContaining([{ Ref: logicalIdOf(s.operations.topic) }, ...topics]),
    );
    expect(subscriptions).toHaveLength(topics.length + 1);
    for (const p of subscriptions) expect(p.Endpoint).toBe('oncall@example.org');
  });

  it('comes from context ecicomm:alarmEmail: one address, or the entry of the stage in an object', () => {
    const plain = build({}, { 'ecicomm:alarmEmail': 'ops@example.org' });
    expect(plain.stack.operations.alarmEmail).toBe('ops@example.org');
    expect(emailSubscriptions(plain.template).length).toBeGreaterThan(1);
    const context = { 'ecicomm:alarmEmail': '{"Prod": "prod-ops@example.org"}' };
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [], ...context } });
    const inStage = (name: string) =>
      new EciCommStack(new Stage(app, name), 'Platform', { namePrefix: `ecicomm-${name.toLowerCase()}` });
    expect(inStage('Prod').operations.alarmEmail).toBe('prod-ops@example.org');
    expect(inStage('Staging').operations.alarmEmail).toBeUndefined();
  });

  it('fails the synthesis, naming the key, when it is not an address', () => {
    expect(() => build({ alarmEmail: 'not an address' })).toThrow(/ecicomm:alarmEmail must be an e-mail address/);
    expect(() => build({}, { 'ecicomm:alarmEmail': 'oncall' })).toThrow(/ecicomm:alarmEmail/);
  });
});

describe('canary deployments of the route functions', () => {
  const groups = () => ofType(template, 'AWS::CodeDeploy::DeploymentGroup');

  it('has one CodeDeploy application for the API and one deployment group per route, shifting 10 % for 5 minutes', () => {
    const [[applicationId, application]] = ofType(template, 'AWS::CodeDeploy::Application');
    expect(application.Properties).toEqual({ ApplicationName: `${PREFIX}-api`, ComputePlatform: 'Lambda' });
    expect(groups()).toHaveLength(routes.length);
    for (const route of routes) {
      const [, group] = groups().find(([, g]) => g.Properties.DeploymentGroupName === `${PREFIX}-${route.id}`)!;
      expect(group.Properties.ApplicationName).toEqual({ Ref: applicationId });
      expect(group.Properties.DeploymentConfigName).toBe('CodeDeployDefault.LambdaCanary10Percent5Minutes');
      expect(group.Properties.DeploymentStyle).toEqual({
        DeploymentType: 'BLUE_GREEN',
        DeploymentOption: 'WITH_TRAFFIC_CONTROL',
      });
    }
  });

  it("rolls back on the stage's deployment alarms, a failed deployment and a stopped one", () => {
    const alarmNames = stack.operations.deploymentAlarms.map((a) => ({ Ref: logicalIdOf(a) }));
    expect(alarmNames.length).toBeGreaterThan(1);
    for (const [, group] of groups()) {
      expect(group.Properties.AlarmConfiguration).toEqual({
        Enabled: true,
        Alarms: alarmNames.map((Name) => ({ Name })),
      });
      expect([...group.Properties.AutoRollbackConfiguration.Events].sort()).toEqual(
        ['DEPLOYMENT_FAILURE', 'DEPLOYMENT_STOP_ON_ALARM', 'DEPLOYMENT_STOP_ON_REQUEST'].sort(),
      );
      expect(group.Properties.AutoRollbackConfiguration.Enabled).toBe(true);
    }
  });

  it("shifts the live alias API Gateway invokes: its update policy names the route's group by name", () => {
    const everywhere = allResources<CfnResource & { UpdatePolicy?: unknown }>(stack);
    for (const route of routes) {
      const alias = everywhere[logicalIdOf(stack.api.liveAliases.get(route.id)!)];
      expect(alias.Properties.Name).toBe('live');
      expect(alias.UpdatePolicy).toEqual({
        CodeDeployLambdaAliasUpdate: { ApplicationName: `${PREFIX}-api`, DeploymentGroupName: `${PREFIX}-${route.id}` },
      });
    }
  });

  it('is driven by a CodeDeploy service role with only the limited Lambda policy', () => {
    const roles = ofType(template, 'AWS::IAM::Role').filter(([, r]) =>
      JSON.stringify(r.Properties.AssumeRolePolicyDocument).includes('codedeploy.amazonaws.com'),
    );
    expect(roles).toHaveLength(1);
    expect(JSON.stringify(roles[0][1].Properties.ManagedPolicyArns)).toContain(
      'service-role/AWSCodeDeployRoleForLambdaLimited',
    );
    expect(JSON.stringify(roles[0][1].Properties.Policies ?? [])).toBe('[]');
  });
});
