/**
 * The audit context in CDK (lib/contexts/audit.ts): the encrypted audit stream, its Firehose archive to the private
 * audit bucket as lib/audit.ts describes it, a Firehose role that cannot delete, the audit table's indexes and TTL,
 * the recorder consumer, and who may touch what.
 */
import { App } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';
import { beforeAll, describe, expect, it } from '@jest/globals';
import { AUDIT_ARCHIVE_GLACIER_AFTER_DAYS, auditArchive } from '../../lib/audit';
import { routes } from '../../lib/routes';
import { EciCommStack } from '../../lib/stacks/platform-stack';
import { allResources, logicalIdOf, mentionOf, referenceFrom, resourcesByStack } from '../support/cdk-templates';

type CfnResource = { Type: string; Properties: Record<string, any>; DependsOn?: string[]; DeletionPolicy?: string };
type Statement = { Action: string | string[]; Resource: unknown; Effect: string };

let stack: EciCommStack;
let resources: Record<string, CfnResource>;
const logicalId = (construct: IConstruct) => logicalIdOf(construct);
const ofType = (type: string) => Object.entries(resources).filter(([, r]) => r.Type === type);
const actionsOf = (s: Statement) => [s.Action].flat();
/** Every identity-policy statement of every stack, with the roles it is attached to and the stack it is in. */
const statements = () =>
  resourcesByStack<CfnResource>(stack).flatMap(([within, inStack]) =>
    Object.values(inStack)
      .filter((r) => r.Type === 'AWS::IAM::Policy')
      .flatMap((p) =>
        (p.Properties.PolicyDocument.Statement as Statement[]).map((statement) => ({
          roles: p.Properties.Roles as unknown[],
          statement,
          within,
        })),
      ),
  );

beforeAll(() => {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] }, builtinCloudFormationValidation: false });
  stack = new EciCommStack(app, 'Test', { namePrefix: 'ecicomm-test' });
  resources = allResources(stack);
});

describe('the audit stream', () => {
  it('is encrypted, on demand, kept a week and on delete', () => {
    const stream = resources[logicalId(stack.audit.stream)];
    expect(stream.Properties).toMatchObject({
      Name: 'ecicomm-test-audit',
      StreamModeDetails: { StreamMode: 'ON_DEMAND' },
      StreamEncryption: { EncryptionType: 'KMS', KeyId: 'alias/aws/kinesis' },
      RetentionPeriodHours: 168,
    });
    expect(stream.DeletionPolicy).toBe('Retain');
  });

  it('is written by exactly the audited routes, read by the recorder and the archive only', () => {
    // The stream's ARN as the statement's own stack names it (directly, or through a nested stack's parameter).
    const streamArn = (within: IConstruct) => JSON.stringify(referenceFrom(within, stack.audit.stream, 'Arn'));
    const onStream = statements().filter(({ statement, within }) =>
      JSON.stringify(statement.Resource).includes(streamArn(within)),
    );
    const roleOf = (role: IConstruct) => JSON.stringify([{ Ref: logicalId(role) }]);
    const writers = routes
      .filter((r) => r.method !== 'GET' && r.id !== 'putEvents')
      .map((r) => roleOf(stack.api.functions.get(r.id)!.role));
    const recorder = roleOf(stack.audit.consumers.get('recordAudit')!.function.role);
    for (const { roles, statement } of onStream) {
      const reads = actionsOf(statement).some((a) => /^kinesis:(Get|Subscribe|DescribeStream$)/.test(a));
      if (reads) expect(JSON.stringify(roles) === recorder || JSON.stringify(roles).includes('Archive')).toBe(true);
      else expect(writers).toContain(JSON.stringify(roles));
    }
    const writing = new Set(
      onStream
        .filter(({ statement }) => actionsOf(statement).includes('kinesis:PutRecord'))
        .map(({ roles }) => JSON.stringify(roles)),
    );
    expect([...writing].sort()).toEqual([...writers].sort());
  });
});

describe('the archive', () => {
  it('is a Firehose delivery stream from the audit stream to the bucket, gzipped JSON lines by UTC day', () => {
    const [[, firehose]] = ofType('AWS::KinesisFirehose::DeliveryStream');
    expect(firehose.Properties.DeliveryStreamType).toBe('KinesisStreamAsSource');
    expect(firehose.Properties.KinesisStreamSourceConfiguration.KinesisStreamARN).toEqual(
      referenceFrom(stack.audit.deliveryStream, stack.audit.stream, 'Arn'),
    );
    expect(firehose.Properties.ExtendedS3DestinationConfiguration).toMatchObject({
      BucketARN: { 'Fn::GetAtt': [logicalId(stack.audit.bucket), 'Arn'] },
      Prefix: 'audit/!{timestamp:yyyy}/!{timestamp:MM}/!{timestamp:dd}/',
      ErrorOutputPrefix: auditArchive.errorOutputPrefix,
      CompressionFormat: 'GZIP',
      FileExtension: '.jsonl.gz',
      BufferingHints: { IntervalInSeconds: 60, SizeInMBs: 5 },
    });
  });

  it('writes with a role that may put and read back archive objects, never delete them', () => {
    const s3Actions = statements()
      .filter(({ statement }) => actionsOf(statement).some((a) => a.startsWith('s3:')))
      .filter(({ statement, within }) =>
        JSON.stringify(statement.Resource).includes(mentionOf(within, stack.audit.bucket)),
      );
    const actions = s3Actions.flatMap(({ statement }) => actionsOf(statement)).sort();
    expect(actions).toEqual([
      's3:AbortMultipartUpload',
      's3:GetBucketLocation',
      's3:GetObject',
      's3:ListBucket',
      's3:ListBucketMultipartUploads',
      's3:PutObject',
    ]);
  });

  it('keeps the bucket private, encrypted, TLS-only and versioned, moving objects to Glacier', () => {
    const bucket = resources[logicalId(stack.audit.bucket)];
    expect(bucket.Properties).toMatchObject({
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
      },
      VersioningConfiguration: { Status: 'Enabled' },
    });
    expect(bucket.Properties.LifecycleConfiguration.Rules[0].Transitions).toEqual([
      { StorageClass: 'GLACIER', TransitionInDays: AUDIT_ARCHIVE_GLACIER_AFTER_DAYS },
    ]);
    expect(bucket.DeletionPolicy).toBe('Retain');
    const [[, policy]] = ofType('AWS::S3::BucketPolicy').filter(
      ([, p]) => JSON.stringify(p.Properties.Bucket) === JSON.stringify({ Ref: logicalId(stack.audit.bucket) }),
    );
    expect(policy.Properties.PolicyDocument.Statement).toContainEqual(
      expect.objectContaining({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
    );
  });
});

describe('the audit table and its readers', () => {
  it('has indexes by resource, user and day, sorted by time, and a TTL', () => {
    const table = resources[logicalId(stack.data.tables.audit)];
    expect(table.Properties.TimeToLiveSpecification).toEqual({ AttributeName: 'expiresAt', Enabled: true });
    expect(
      table.Properties.GlobalSecondaryIndexes.map((i: any) => [
        i.IndexName,
        i.KeySchema.map((k: any) => k.AttributeName),
      ]),
    ).toEqual([
      ['byResource', ['resourceId', 'atId']],
      ['byUser', ['userId', 'atId']],
      ['byDay', ['day', 'atId']],
    ]);
  });

  it('is written by the recorder only, and read by GET /v1/audit only', () => {
    // Each statement names the table in its own stack's terms (the recorder and the reader are in nested stacks).
    const tableArn = (within: IConstruct) => JSON.stringify(referenceFrom(within, stack.data.tables.audit, 'Arn'));
    const touching = statements().filter(
      ({ statement, within }) =>
        JSON.stringify(statement.Resource).includes(tableArn(within)) &&
        actionsOf(statement).some((a) => a.startsWith('dynamodb:')),
    );
    const roleOf = (role: IConstruct) => JSON.stringify([{ Ref: logicalId(role) }]);
    const recorder = roleOf(stack.audit.consumers.get('recordAudit')!.function.role);
    const reader = roleOf(stack.api.functions.get('listAudit')!.role);
    for (const { roles, statement } of touching) {
      const writes = actionsOf(statement).some((a) => /^dynamodb:(Put|BatchWrite|Update|Delete)/.test(a));
      expect(JSON.stringify(roles)).toBe(writes ? recorder : reader);
    }
    expect(new Set(touching.map(({ roles }) => JSON.stringify(roles)))).toEqual(new Set([recorder, reader]));
  });
});
