/**
 * The domain events context in CDK (lib/contexts/events.ts): the stage's bus, its 30-day archive of every event,
 * and one publisher per table stream with exactly the ESM settings of lib/events.ts, its bus in its environment,
 * and leave to put events on that bus alone.
 */
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from '@jest/globals';
import { eventPublishers } from '../../lib/events';
import { EciCommStack } from '../../lib/stacks/platform-stack';

type CfnResource = { Type: string; Properties: Record<string, any> };
let stack: EciCommStack;
let template: Template;
let resources: Record<string, CfnResource>;
const ofType = (type: string) => Object.values(resources).filter((r) => r.Type === type);

beforeAll(() => {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] }, builtinCloudFormationValidation: false });
  stack = new EciCommStack(app, 'EventsTest', { namePrefix: 'ecicomm-test' });
  // The domain events context is in the stage's nested stack of what nothing else refers to.
  template = Template.fromStack(stack.downstream);
  resources = template.toJSON().Resources as Record<string, CfnResource>;
});

describe('the domain events bus', () => {
  it('is one bus named after the stage, archived for 30 days with a pattern matching every event of the account', () => {
    template.resourceCountIs('AWS::Events::EventBus', 1);
    template.hasResourceProperties('AWS::Events::EventBus', { Name: 'ecicomm-test-events' });
    const [archive] = ofType('AWS::Events::Archive');
    expect(archive.Properties).toMatchObject({ ArchiveName: 'ecicomm-test-events-archive', RetentionDays: 30 });
    expect(archive.Properties.EventPattern).toEqual({ account: [{ Ref: 'AWS::AccountId' }] });
  });
});

describe('the publishers', () => {
  it('are one function per table stream, each with the bus in its environment and its ESM settings', () => {
    expect(eventPublishers.map((p) => p.source)).toEqual([
      { kind: 'table', table: 'products' },
      { kind: 'table', table: 'orders' },
      { kind: 'table', table: 'inventory' },
      { kind: 'table', table: 'users' },
    ]);
    const busName = stack.downstream.resolve(stack.events.bus.eventBusName) as unknown;
    for (const publisher of eventPublishers) {
      const built = stack.events.publishers.consumers.get(publisher.id)!;
      const fn = resources[stack.getLogicalId(built.function.function.node.defaultChild as never)];
      expect(fn.Properties.Environment.Variables).toMatchObject({ EVENT_BUS_NAME: busName, STOCK_LOW_THRESHOLD: '5' });
      expect(fn.Properties.FunctionName).toBe(`ecicomm-test-${publisher.id}`);
    }
    const mappings = ofType('AWS::Lambda::EventSourceMapping').filter((m) =>
      eventPublishers.some((p) => JSON.stringify(m.Properties.FunctionName).includes(p.id)),
    );
    expect(mappings).toHaveLength(eventPublishers.length);
    for (const mapping of mappings)
      expect(mapping.Properties).toMatchObject({
        BatchSize: 100,
        BisectBatchOnFunctionError: true,
        FunctionResponseTypes: ['ReportBatchItemFailures'],
      });
  });

  it('may put events on the domain bus and on nothing else', () => {
    const busArn = stack.downstream.resolve(stack.events.bus.eventBusArn) as unknown;
    const putters = ofType('AWS::IAM::Policy')
      .flatMap((p) => p.Properties.PolicyDocument.Statement as { Action: string | string[]; Resource: unknown }[])
      .filter((s) => [s.Action].flat().includes('events:PutEvents'));
    expect(putters.length).toBe(eventPublishers.length);
    for (const statement of putters) expect(statement.Resource).toEqual(busArn);
  });
});
