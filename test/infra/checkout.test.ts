import { readFileSync } from 'node:fs';
import { App, CfnElement } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { IConstruct } from 'constructs';
import { beforeAll, describe, expect, it } from 'vitest';
import { orderSaga, scheduledJobs } from '../../lib/saga';
import { EciCommStack } from '../../lib/stacks/platform-stack';

type CfnResource = { Type: string; Properties: Record<string, any> };
type Statement = { Action: string | string[]; Resource: unknown; Effect: string; Condition?: unknown };
type AslState = {
  Type: string;
  Resource?: string;
  TimeoutSeconds?: number;
  Retry?: { ErrorEquals: string[] }[];
  Parameters?: Record<string, unknown>;
};

let stack: EciCommStack;
let resources: Record<string, CfnResource>;
let machine: Record<string, any>;
let states: Record<string, AslState>;

const logicalId = (construct: IConstruct) =>
  stack.getLogicalId((construct instanceof CfnElement ? construct : construct.node.defaultChild) as CfnElement);
const ofType = (type: string) => Object.entries(resources).filter(([, r]) => r.Type === type);
const mentions = (value: unknown, id: string) => JSON.stringify(value).includes(`"${id}"`);
const actionsOf = (s: Statement) => [s.Action].flat();
const resourcesOf = (s: Statement) => [s.Resource].flat();
const statementsOfRole = (roleId: string): Statement[] =>
  Object.values(resources)
    .filter((r) => r.Type === 'AWS::IAM::Policy' && mentions(r.Properties.Roles, roleId))
    .flatMap((r) => r.Properties.PolicyDocument.Statement as Statement[]);
const taskFunctionArn = (id: string) => ({
  'Fn::GetAtt': [logicalId(stack.checkout.taskFunctions.get(id)!.function), 'Arn'],
});
const taskStates = () => Object.entries(states).filter(([, s]) => s.Type === 'Task');
const alarmOn = (metricName: string) =>
  ofType('AWS::CloudWatch::Alarm')
    .map(([, a]) => a.Properties)
    .filter((a) => a.MetricName === metricName);

beforeAll(() => {
  // No bundling, and CloudFormation's schema validation (4 s) runs once, in cdk-nag.test.ts.
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] }, builtinCloudFormationValidation: false });
  stack = new EciCommStack(app, 'CheckoutTest', { namePrefix: 'ecicomm-test' });
  resources = Template.fromStack(stack).toJSON().Resources;
  machine = resources[logicalId(stack.checkout.stateMachine)].Properties;
  states = JSON.parse(machine.DefinitionString).States;
});

describe('order saga state machine', () => {
  it('is a standard workflow named after the stage, defined inline from the ASL file as written', () => {
    expect(ofType('AWS::StepFunctions::StateMachine')).toHaveLength(1);
    expect(machine.StateMachineType).toBe('STANDARD');
    expect(machine.StateMachineName).toBe(`ecicomm-test-${orderSaga.name}`);
    expect(machine.DefinitionString).toBe(
      readFileSync(new URL(`../../${orderSaga.definitionFile}`, import.meta.url), 'utf8'),
    );
  });

  it("binds every Task state of lib/saga.ts to its own function's ARN", () => {
    for (const task of orderSaga.tasks) {
      expect(states[task.state]?.Resource, task.state).toBe(`\${${task.substitution}}`);
      expect(machine.DefinitionSubstitutions[task.substitution], task.substitution).toEqual(taskFunctionArn(task.id));
    }
  });

  it('has a substitution for every placeholder of the definition, and none for anything else', () => {
    const placeholders = [...(machine.DefinitionString as string).matchAll(/\$\{(\w+)\}/g)].map((m) => m[1]);
    expect(Object.keys(machine.DefinitionSubstitutions).sort()).toEqual([...new Set(placeholders)].sort());
    expect(machine.DefinitionSubstitutions[orderSaga.deadLetterQueueSubstitution]).toEqual({
      Ref: logicalId(stack.checkout.deadLetterQueue),
    });
  });

  it('runs every Lambda Task through a function of lib/saga.ts, and sends only to the dead-letter queue otherwise', () => {
    const lambdaTasks = taskStates().filter(([, s]) => s.Resource?.startsWith('${'));
    expect(lambdaTasks.map(([name]) => name).sort()).toEqual(orderSaga.tasks.map((t) => t.state).sort());
    const others = taskStates().filter(([, s]) => !s.Resource?.startsWith('${'));
    for (const [name, state] of others) {
      expect(state.Resource, name).toBe('arn:aws:states:::sqs:sendMessage');
      expect(state.Parameters?.QueueUrl, name).toBe(`\${${orderSaga.deadLetterQueueSubstitution}}`);
    }
  });

  it('gives every Task a TimeoutSeconds and a Retry, and the whole execution a timeout', () => {
    expect(JSON.parse(machine.DefinitionString).TimeoutSeconds).toBeGreaterThan(0);
    for (const [name, state] of taskStates()) {
      expect(state.TimeoutSeconds, name).toBeGreaterThan(0);
      expect(state.Retry?.length, name).toBeGreaterThan(0);
    }
  });

  it('stops each Task function before its state times out, so a retry never overlaps a running attempt', () => {
    for (const task of orderSaga.tasks) {
      const fn = resources[logicalId(stack.checkout.taskFunctions.get(task.id)!.function)].Properties;
      expect(fn.Timeout, task.id).toBeLessThan(states[task.state].TimeoutSeconds!);
    }
  });

  it('logs every execution event without execution data, to a log group with a retention, and traces with X-Ray', () => {
    const { Level, IncludeExecutionData, Destinations } = machine.LoggingConfiguration;
    expect(['ALL', 'ERROR']).toContain(Level);
    expect(IncludeExecutionData).toBe(false);
    const logGroupId = Destinations[0].CloudWatchLogsLogGroup.LogGroupArn['Fn::GetAtt'][0];
    expect(resources[logGroupId].Type).toBe('AWS::Logs::LogGroup');
    expect(resources[logGroupId].Properties.RetentionInDays).toBeGreaterThan(0);
    expect(machine.TracingConfiguration).toEqual({ Enabled: true });
  });
});

describe('state machine role', () => {
  let statements: Statement[];
  beforeAll(() => {
    statements = statementsOfRole(machine.RoleArn['Fn::GetAtt'][0]);
  });

  it('may invoke exactly the saga Task functions, by their unqualified ARN', () => {
    const invoke = statements.filter((s) => actionsOf(s).some((a) => a.startsWith('lambda:')));
    expect(invoke.flatMap(actionsOf)).toEqual(['lambda:InvokeFunction']);
    const invocable = invoke.flatMap(resourcesOf);
    expect(invocable).toHaveLength(orderSaga.tasks.length);
    expect(invocable).toEqual(expect.arrayContaining(orderSaga.tasks.map((t) => taskFunctionArn(t.id))));
  });

  it('may send to the compensation dead-letter queue, and to no other queue', () => {
    const sqs = statements.filter((s) => actionsOf(s).some((a) => a.startsWith('sqs:')));
    expect(sqs.flatMap(actionsOf)).toEqual(['sqs:SendMessage']);
    expect(sqs.flatMap(resourcesOf)).toEqual([{ 'Fn::GetAtt': [logicalId(stack.checkout.deadLetterQueue), 'Arn'] }]);
  });

  it('has nothing on Resource "*" but log delivery and tracing, and no other service', () => {
    for (const statement of statements) {
      expect(statement.Effect).toBe('Allow');
      for (const action of actionsOf(statement)) {
        expect(['lambda', 'sqs', 'logs', 'xray'], action).toContain(action.split(':')[0]);
        if (resourcesOf(statement).includes('*')) expect(['logs', 'xray'], action).toContain(action.split(':')[0]);
      }
    }
    const role = resources[machine.RoleArn['Fn::GetAtt'][0]].Properties;
    expect(role.ManagedPolicyArns ?? []).toEqual([]);
    expect(JSON.stringify(role.AssumeRolePolicyDocument)).toContain('states.amazonaws.com');
  });
});

describe('compensation dead-letter queue', () => {
  it('is encrypted, keeps messages 14 days and refuses requests without TLS', () => {
    const queueId = logicalId(stack.checkout.deadLetterQueue);
    const queue = resources[queueId].Properties;
    expect(queue.QueueName).toBe(`ecicomm-test-${orderSaga.deadLetterQueueName}`);
    expect(queue.SqsManagedSseEnabled === true || queue.KmsMasterKeyId !== undefined).toBe(true);
    expect(queue.MessageRetentionPeriod).toBe(14 * 24 * 60 * 60);
    const policies = ofType('AWS::SQS::QueuePolicy').filter(([, p]) => mentions(p.Properties.Queues, queueId));
    expect(policies).toHaveLength(1);
    expect(policies[0][1].Properties.PolicyDocument.Statement).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
      ]),
    );
  });
});

describe('alarms', () => {
  const topicId = () => logicalId(stack.checkout.alarmTopic);

  it.each([
    ['ExecutionsFailed', 'AWS/States'],
    ['ExecutionsTimedOut', 'AWS/States'],
  ])('alarms on %s > 0 of the saga, notifying the alarm topic', (metricName, namespace) => {
    const alarms = alarmOn(metricName);
    expect(alarms).toHaveLength(1);
    const [alarm] = alarms;
    expect(alarm.Namespace).toBe(namespace);
    expect(alarm.Dimensions).toEqual([
      { Name: 'StateMachineArn', Value: { Ref: logicalId(stack.checkout.stateMachine) } },
    ]);
    expect(alarm).toMatchObject({ Threshold: 0, ComparisonOperator: 'GreaterThanThreshold', Statistic: 'Sum' });
    expect(alarm.AlarmActions).toEqual([{ Ref: topicId() }]);
  });

  it('alarms on any message visible in the dead-letter queue, notifying the alarm topic', () => {
    // Analytics alarms on its own on-failure queues (test/infra/analytics.test.ts).
    const alarms = alarmOn('ApproximateNumberOfMessagesVisible').filter((a) =>
      mentions(a.Dimensions, logicalId(stack.checkout.deadLetterQueue)),
    );
    expect(alarms).toHaveLength(1);
    const [alarm] = alarms;
    expect(alarm.Namespace).toBe('AWS/SQS');
    expect(alarm.Dimensions).toEqual([
      { Name: 'QueueName', Value: { 'Fn::GetAtt': [logicalId(stack.checkout.deadLetterQueue), 'QueueName'] } },
    ]);
    expect(alarm).toMatchObject({ Threshold: 0, ComparisonOperator: 'GreaterThanThreshold' });
    expect(alarm.AlarmActions).toEqual([{ Ref: topicId() }]);
  });

  it('notifies through a topic encrypted with a rotated key that CloudWatch may use, publishing over TLS only', () => {
    const topic = resources[topicId()].Properties;
    const keyId = topic.KmsMasterKeyId['Fn::GetAtt'][0];
    const key = resources[keyId].Properties;
    expect(key.EnableKeyRotation).toBe(true);
    expect(key.KeyPolicy.Statement).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          Principal: { Service: 'cloudwatch.amazonaws.com' },
          Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        }),
      ]),
    );
    const policies = ofType('AWS::SNS::TopicPolicy').filter(([, p]) => mentions(p.Properties.Topics, topicId()));
    expect(policies[0][1].Properties.PolicyDocument.Statement).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          Effect: 'Deny',
          Action: 'sns:Publish',
          Condition: { Bool: { 'aws:SecureTransport': 'false' } },
        }),
      ]),
    );
  });
});

describe('scheduled jobs', () => {
  it.each(scheduledJobs.map((j) => [j.id, j] as const))('%s runs on an EventBridge schedule at its rate', (_, job) => {
    const { rule, function: fn } = stack.checkout.scheduled.get(job.id)!;
    const properties = resources[logicalId(rule)].Properties;
    const rate = job.everyMinutes % 1440 === 0 ? [job.everyMinutes / 1440, 'day'] : [job.everyMinutes, 'minute'];
    expect(properties.ScheduleExpression).toBe(`rate(${rate[0]} ${rate[0] === 1 ? rate[1] : `${rate[1]}s`})`);
    expect(properties.State).toBe('ENABLED');
    expect(properties.Targets).toHaveLength(1);
    expect(properties.Targets[0].Arn).toEqual({ 'Fn::GetAtt': [logicalId(fn.function), 'Arn'] });
    // A run ends before the next one is due.
    expect(resources[logicalId(fn.function)].Properties.Timeout).toBeLessThan(job.everyMinutes * 60);
  });

  it('the settlement pass runs every minute, and payment reconciliation daily', () => {
    const settlement = resources[logicalId(stack.checkout.scheduled.get('settleOrders')!.rule)].Properties;
    expect(settlement.ScheduleExpression).toBe('rate(1 minute)');
    const reconciliation = resources[logicalId(stack.checkout.scheduled.get('reconcilePayments')!.rule)].Properties;
    expect(reconciliation.ScheduleExpression).toBe('rate(1 day)');
  });

  it.each(scheduledJobs.map((j) => [j.id, j] as const))(
    '%s is not retried (the next run does the same work) and alarms when its runs keep failing',
    (_, job) => {
      const { function: fn, errors } = stack.checkout.scheduled.get(job.id)!;
      const fnId = logicalId(fn.function);
      const invokeConfigs = ofType('AWS::Lambda::EventInvokeConfig').filter(([, c]) =>
        mentions(c.Properties.FunctionName, fnId),
      );
      expect(invokeConfigs.map(([, c]) => c.Properties.MaximumRetryAttempts)).toEqual([0]);
      const alarm = resources[logicalId(errors)].Properties;
      expect(alarm).toMatchObject({
        Namespace: 'AWS/Lambda',
        MetricName: 'Errors',
        Threshold: 0,
        ComparisonOperator: 'GreaterThanThreshold',
      });
      expect(alarm.Dimensions).toEqual([{ Name: 'FunctionName', Value: { Ref: fnId } }]);
      expect(alarm.AlarmActions).toEqual([{ Ref: logicalId(stack.checkout.alarmTopic) }]);
    },
  );

  it.each(scheduledJobs.map((j) => [j.id, j] as const))('%s may be invoked by its rule only', (_, job) => {
    const { rule, function: fn } = stack.checkout.scheduled.get(job.id)!;
    const permissions = ofType('AWS::Lambda::Permission').filter(([, p]) =>
      mentions(p.Properties.FunctionName, logicalId(fn.function)),
    );
    expect(permissions).toHaveLength(1);
    expect(permissions[0][1].Properties).toMatchObject({
      Principal: 'events.amazonaws.com',
      SourceArn: { 'Fn::GetAtt': [logicalId(rule), 'Arn'] },
    });
  });
});
