import { App, CfnElement } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { IConstruct } from 'constructs';
import { beforeAll, describe, expect, it } from 'vitest';
import { routes } from '../../lib/routes';
import { EciCommStack } from '../../lib/stacks/platform-stack';

type CfnResource = { Type: string; Properties: Record<string, any> };
type Statement = { Action: string | string[]; Resource: unknown; Effect: string };

let stack: EciCommStack;
let resources: Record<string, CfnResource>;
const logicalId = (construct: IConstruct) =>
  stack.getLogicalId((construct instanceof CfnElement ? construct : construct.node.defaultChild) as CfnElement);
const kinesisStatements = () =>
  Object.values(resources)
    .filter((r) => r.Type === 'AWS::IAM::Policy')
    .flatMap((r) => (r.Properties.PolicyDocument.Statement as Statement[]).map((s) => ({ roles: r.Properties.Roles as unknown[], statement: s })))
    .filter(({ statement }) => [statement.Action].flat().some((a) => a.startsWith('kinesis:')));

beforeAll(() => {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] }, builtinCloudFormationValidation: false });
  stack = new EciCommStack(app, 'AnalyticsTest', { namePrefix: 'ecicomm-test' });
  resources = Template.fromStack(stack).toJSON().Resources;
});

describe('the clickstream stream', () => {
  it('is one Kinesis stream, named after the stage, on demand, encrypted with KMS, kept on delete', () => {
    const streams = Object.entries(resources).filter(([, r]) => r.Type === 'AWS::Kinesis::Stream');
    expect(streams.map(([id]) => id)).toEqual([logicalId(stack.analytics.clickstream)]);
    const [, stream] = streams[0]!;
    expect(stream.Properties.Name).toBe('ecicomm-test-clickstream');
    expect(stream.Properties.StreamModeDetails).toEqual({ StreamMode: 'ON_DEMAND' });
    expect(stream.Properties.StreamEncryption).toEqual({ EncryptionType: 'KMS', KeyId: 'alias/aws/kinesis' });
    expect(stream.Properties.RetentionPeriodHours).toBe(24);
    expect((stream as unknown as { DeletionPolicy: string }).DeletionPolicy).toBe('Retain');
  });
});

describe('POST /v1/events', () => {
  const route = routes.find((r) => r.id === 'putEvents')!;

  it('is served by a function that gets the stream name in CLICKSTREAM_STREAM', () => {
    const fn = resources[logicalId(stack.api.functions.get(route.id)!.function)].Properties;
    expect(fn.Environment.Variables.CLICKSTREAM_STREAM).toEqual({ Ref: logicalId(stack.analytics.clickstream) });
  });

  it('may PutRecords on the clickstream only, and no other function may touch Kinesis', () => {
    const roleId = logicalId(stack.api.functions.get(route.id)!.role);
    const statements = kinesisStatements();
    expect(statements.length).toBeGreaterThan(0);
    for (const { roles, statement } of statements) {
      expect(roles).toEqual([{ Ref: roleId }]);
      expect(statement.Effect).toBe('Allow');
      expect([statement.Resource].flat()).toEqual([{ 'Fn::GetAtt': [logicalId(stack.analytics.clickstream), 'Arn'] }]);
    }
    const actions = statements.flatMap(({ statement }) => [statement.Action].flat());
    expect(actions).toContain('kinesis:PutRecords');
    // Writing only: nothing that reads records or changes the stream.
    for (const action of actions) expect(action).not.toMatch(/^kinesis:(Get|Delete|Update|Merge|Split|Subscribe|Create)/);
  });
});
