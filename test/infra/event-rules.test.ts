/**
 * The rules on the domain events bus in CDK (lib/contexts/event-rules.ts), for a rule of the lib/events.ts shape:
 * the rule on the stage's bus with its pattern, its function as the one target with the rule's retry policy and
 * dead-letter queue, the function's own asynchronous retries sending to the same queue, an alarm on that queue, and
 * no grant wider than that function and that queue.
 */
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from '@jest/globals';
import { DomainEvents } from '../../lib/contexts/events';
import type { EventRule } from '../../lib/events';
import { logicalIdOf } from '../support/cdk-templates';

type CfnResource = { Type: string; Properties: Record<string, any> };
type Statement = { Action: string | string[]; Resource: unknown; Principal?: unknown; Condition?: unknown };

const rule: EventRule = {
  id: 'recordOrders',
  context: 'events',
  description: 'Confirmed orders, recorded',
  eventPattern: { source: ['ecicomm.orders'], 'detail-type': ['OrderConfirmed'] },
  target: {
    id: 'recordOrder',
    context: 'events',
    handler: 'test/support/event-targets/recording-target.ts',
    summary: 'records confirmed orders',
    tables: {},
    retry: { maximumRetryAttempts: 2, maximumEventAgeSeconds: 3600 },
    deadLetterQueueName: 'record-order-dead-letters',
  },
};

let events: DomainEvents;
let stack: Stack;
let resources: Record<string, CfnResource>;
const ofType = (type: string) => Object.values(resources).filter((r) => r.Type === type);
const statements = () =>
  [...ofType('AWS::IAM::Policy'), ...ofType('AWS::SQS::QueuePolicy')].flatMap(
    (p) => p.Properties.PolicyDocument.Statement as Statement[],
  );
const ref = (construct: Parameters<typeof logicalIdOf>[0]) => ({ Ref: logicalIdOf(construct) });
const arnOf = (construct: Parameters<typeof logicalIdOf>[0]) => ({ 'Fn::GetAtt': [logicalIdOf(construct), 'Arn'] });

beforeAll(() => {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  stack = new Stack(app, 'EventRulesTest');
  events = new DomainEvents(stack, 'Events', { namePrefix: 'ecicomm-test', tables: {}, publishers: [], rules: [rule] });
  resources = Template.fromStack(stack).toJSON().Resources as Record<string, CfnResource>;
});

describe('a rule on the domain events bus', () => {
  it('is on the stage bus with its pattern, its function the one target with the retry policy and dead letters', () => {
    const built = events.rules.rules.get(rule.id)!;
    const [eventRule] = ofType('AWS::Events::Rule');
    expect(ofType('AWS::Events::Rule')).toHaveLength(1);
    expect(eventRule.Properties).toMatchObject({
      Name: 'ecicomm-test-recordOrders',
      EventBusName: ref(events.bus),
      EventPattern: rule.eventPattern,
      State: 'ENABLED',
    });
    expect(eventRule.Properties.Targets).toEqual([
      expect.objectContaining({
        Arn: arnOf(built.function.function),
        RetryPolicy: { MaximumRetryAttempts: 2, MaximumEventAgeInSeconds: 3600 },
        DeadLetterConfig: { Arn: arnOf(built.deadLetterQueue) },
      }),
    ]);
    const [queue] = ofType('AWS::SQS::Queue');
    expect(queue.Properties).toMatchObject({
      QueueName: 'ecicomm-test-record-order-dead-letters',
      SqsManagedSseEnabled: true,
    });
    const fn = resources[logicalIdOf(built.function.function)];
    expect(fn.Properties.FunctionName).toBe('ecicomm-test-recordOrder');
  });

  it("retries a failing function as the rule does, and sends what it gave up on to the rule's queue", () => {
    const built = events.rules.rules.get(rule.id)!;
    const [config] = ofType('AWS::Lambda::EventInvokeConfig');
    expect(config.Properties).toMatchObject({
      MaximumRetryAttempts: 2,
      MaximumEventAgeInSeconds: 3600,
      DestinationConfig: { OnFailure: { Destination: arnOf(built.deadLetterQueue) } },
    });
    const [alarm] = ofType('AWS::CloudWatch::Alarm').filter((a) => /dead-letters/.test(a.Properties.AlarmName));
    expect(alarm.Properties).toMatchObject({
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Threshold: 1,
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [logicalIdOf(built.deadLetterQueue), 'QueueName'] } }],
    });
  });

  it('may invoke that function only, which may send to that queue only; only that rule (and events:replay rules on its bus) may put dead letters', () => {
    const built = events.rules.rules.get(rule.id)!;
    const permissions = ofType('AWS::Lambda::Permission').map((p) => p.Properties);
    const replayRules = {
      'Fn::Join': [
        '',
        [
          'arn:',
          { Ref: 'AWS::Partition' },
          ':events:',
          { Ref: 'AWS::Region' },
          ':',
          { Ref: 'AWS::AccountId' },
          ':rule/',
          { Ref: logicalIdOf(events.bus) },
          '/events-replay-*',
        ],
      ],
    };
    const base = { Action: 'lambda:InvokeFunction', Principal: 'events.amazonaws.com' };
    const invoked = arnOf(built.function.function);
    expect(permissions).toHaveLength(2);
    expect(permissions).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ ...base, FunctionName: invoked, SourceArn: arnOf(built.eventRule) }),
        expect.objectContaining({ ...base, FunctionName: invoked, SourceArn: replayRules }),
      ]),
    );
    const senders = statements().filter((s) => [s.Action].flat().some((a) => a.startsWith('sqs:Send')));
    expect(senders.length).toBeGreaterThan(0);
    for (const statement of senders) expect(statement.Resource).toEqual(arnOf(built.deadLetterQueue));
    const fromEventBridge = senders.filter((s) => JSON.stringify(s.Principal ?? '').includes('events.amazonaws.com'));
    expect(fromEventBridge).toHaveLength(2);
    expect(fromEventBridge.map((s) => s.Condition)).toEqual(
      expect.arrayContaining([
        { ArnEquals: { 'aws:SourceArn': arnOf(built.eventRule) } },
        { ArnLike: { 'aws:SourceArn': replayRules } },
      ]),
    );
  });
});
