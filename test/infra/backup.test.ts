/**
 * Backups and the archive of old orders in CDK: an AWS Backup plan for every table (daily kept 35 days, monthly
 * kept a year) into a KMS-encrypted vault that notifies an SNS topic of failed jobs, an optional copy to a second
 * region from context; the order-archive bucket versioned, private and encrypted; the archive job and the order
 * read routes granted that bucket, as much as each needs; the order archive index table (PITR, in the plan)
 * written by the archive job only, read by the order read routes and reconciliation.
 */
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { IConstruct } from 'constructs';
import { beforeAll, describe, expect, it } from '@jest/globals';
import { EciCommStack } from '../../lib/stacks/platform-stack';
import { tables as tableSpecs } from '../../lib/tables';
import type { PlatformFunction } from '../../lib/contexts/platform-function';
import { allResources, logicalIdOf, mentionOf, referenceFrom } from '../support/cdk-templates';

type CfnResource = { Type: string; Properties: Record<string, any>; DeletionPolicy?: string };

const build = (context: Record<string, unknown> = {}) => {
  const app = new App({
    context: { 'aws:cdk:bundling-stacks': [], ...context },
    builtinCloudFormationValidation: false,
  });
  const stack = new EciCommStack(app, 'BackupTest', { namePrefix: 'ecicomm-test' });
  return { stack, resources: allResources<CfnResource>(stack) };
};

let stack: EciCommStack;
let resources: Record<string, CfnResource>;
const logicalId = (construct: IConstruct) => logicalIdOf(construct);
const ofType = (type: string, within = resources) => Object.values(within).filter((r) => r.Type === type);
const plan = (within = resources) => ofType('AWS::Backup::BackupPlan', within)[0].Properties.BackupPlan;
/** The function built for `id`: a route's (most in a nested stack) or a scheduled job's. */
const functionOf = (id: string): PlatformFunction =>
  stack.api.functions.get(id) ?? stack.checkout.scheduled.get(id)!.function;
/** Every statement of the policies attached to the role of the function built for `id`, and its environment. */
const statementsOf = (id: string) => {
  const built = functionOf(id);
  const fn = resources[logicalId(built.function)];
  const role = fn.Properties.Role['Fn::GetAtt'][0] as string;
  expect(role).toBe(logicalId(built.role));
  return {
    environment: fn.Properties.Environment.Variables as Record<string, unknown>,
    statements: ofType('AWS::IAM::Policy')
      .filter((p) => p.Properties.Roles.some((r: { Ref: string }) => r.Ref === role))
      .flatMap((p) => p.Properties.PolicyDocument.Statement as { Action: string | string[]; Resource: unknown }[]),
  };
};
/** How the function built for `id` names the archive bucket (`Ref`) or its ARN: its own stack's terms. */
const bucketRef = (id: string) => referenceFrom(functionOf(id).function, stack.orderArchive.bucket, 'Arn');
const bucketName = (id: string) => referenceFrom(functionOf(id).function, stack.orderArchive.bucket);
const objectsOf = (id: string) => ({ 'Fn::Join': ['', [bucketRef(id), '/*']] });

beforeAll(() => {
  ({ stack, resources } = build());
});

describe('AWS Backup', () => {
  it('backs up every table, daily kept 35 days and monthly kept a year', () => {
    const rules = plan().BackupPlanRule.map((r: any) => [
      r.RuleName,
      r.Lifecycle.DeleteAfterDays,
      r.ScheduleExpression,
    ]);
    expect(rules).toEqual([
      ['Daily', 35, 'cron(0 3 * * ? *)'],
      ['Monthly', 365, 'cron(0 4 1 * ? *)'],
    ]);
    const selected = ofType('AWS::Backup::BackupSelection')[0].Properties.BackupSelection.Resources;
    expect(selected).toHaveLength(Object.keys(tableSpecs).length);
    for (const key of Object.keys(stack.data.tables) as (keyof typeof stack.data.tables)[])
      expect(selected).toContainEqual(referenceFrom(stack.backup, stack.data.tables[key], 'Arn'));
  });

  it('keeps the backups in a vault encrypted with its own rotated KMS key', () => {
    const vault = ofType('AWS::Backup::BackupVault')[0].Properties;
    expect(vault.BackupVaultName).toBe('ecicomm-test-backups');
    expect(vault.EncryptionKeyArn).toEqual({ 'Fn::GetAtt': [expect.stringContaining('VaultKey'), 'Arn'] });
    const key = Object.entries(resources).find(([id]) => id === vault.EncryptionKeyArn['Fn::GetAtt'][0])![1];
    expect(key.Properties.EnableKeyRotation).toBe(true);
  });

  it('notifies an encrypted SNS topic when a backup, copy or restore job fails', () => {
    const vault = ofType('AWS::Backup::BackupVault')[0].Properties;
    expect(vault.Notifications.BackupVaultEvents).toEqual([
      'BACKUP_JOB_FAILED',
      'COPY_JOB_FAILED',
      'RESTORE_JOB_FAILED',
    ]);
    expect(vault.Notifications.SNSTopicArn).toEqual({ Ref: logicalId(stack.backup.failureTopic) });
    expect(resources[logicalId(stack.backup.failureTopic)].Properties.KmsMasterKeyId).toBeDefined();
    const topicPolicy = ofType('AWS::SNS::TopicPolicy').find((p) =>
      JSON.stringify(p.Properties.Topics).includes(logicalId(stack.backup.failureTopic)),
    )!;
    expect(JSON.stringify(topicPolicy.Properties.PolicyDocument)).toContain('backup.amazonaws.com');
  });

  it('copies nothing to another region by default, and every backup to the vault of backupCopyRegion when given', () => {
    expect(plan().BackupPlanRule.map((r: any) => r.CopyActions ?? [])).toEqual([[], []]);
    const copied = build({ backupCopyRegion: 'eu-west-1' });
    const actions = plan(copied.resources).BackupPlanRule.map((r: any) => r.CopyActions);
    for (const [action, days] of [
      [actions[0], 35],
      [actions[1], 365],
    ] as const) {
      expect(action).toHaveLength(1);
      expect(JSON.stringify(action[0].DestinationBackupVaultArn)).toContain(':backup:eu-west-1:');
      expect(JSON.stringify(action[0].DestinationBackupVaultArn)).toContain('backup-vault:ecicomm-test-backups-copy');
      expect(action[0].Lifecycle.DeleteAfterDays).toBe(days);
    }
  });

  it('keeps point-in-time recovery on every table under the plan', () => {
    for (const table of ofType('AWS::DynamoDB::Table'))
      expect(table.Properties.PointInTimeRecoverySpecification).toEqual({ PointInTimeRecoveryEnabled: true });
  });
});

describe('the order archive', () => {
  it('is a versioned, private, encrypted bucket that outlives the stack', () => {
    const bucket = resources[logicalId(stack.orderArchive.bucket)];
    expect(bucket.Properties.VersioningConfiguration).toEqual({ Status: 'Enabled' });
    expect(bucket.Properties.PublicAccessBlockConfiguration).toEqual({
      BlockPublicAcls: true,
      BlockPublicPolicy: true,
      IgnorePublicAcls: true,
      RestrictPublicBuckets: true,
    });
    expect(bucket.Properties.BucketEncryption).toBeDefined();
    expect(bucket.DeletionPolicy).toBe('Retain');
  });

  it('is written by the archive job (which runs daily) and only read by the order read routes', () => {
    const job = statementsOf('archiveOrders');
    expect(job.environment.ORDER_ARCHIVE_BUCKET).toEqual(bucketName('archiveOrders'));
    expect(job.statements).toContainEqual(
      expect.objectContaining({
        Action: ['s3:GetObject', 's3:PutObject', 's3:DeleteObject'],
        Resource: objectsOf('archiveOrders'),
      }),
    );
    expect(job.statements).toContainEqual(
      expect.objectContaining({ Action: 's3:ListBucket', Resource: bucketRef('archiveOrders') }),
    );
    const rule = Object.values(resources).find(
      (r) => r.Type === 'AWS::Events::Rule' && String(r.Properties.Description).includes('archiveOrders'),
    )!;
    expect(rule.Properties.ScheduleExpression).toBe('rate(1 day)');
    for (const route of ['getOrder', 'listOrders']) {
      const read = statementsOf(route);
      expect(read.environment.ORDER_ARCHIVE_BUCKET).toEqual(bucketName(route));
      const s3 = read.statements.filter((s) => JSON.stringify(s.Action).includes('s3:'));
      expect(s3).toEqual([expect.objectContaining({ Action: 's3:GetObject', Resource: objectsOf(route) })]);
    }
  });
});

describe('the order archive index', () => {
  const indexTable = () => stack.data.tables.orderArchiveIndex;
  /** The DynamoDB actions a function's role holds on the index table (its ARN or its indexes'). */
  const indexActions = (id: string) =>
    statementsOf(id)
      .statements.filter((s) => JSON.stringify(s.Resource).includes(mentionOf(functionOf(id).role, indexTable())))
      .flatMap((s) => (Array.isArray(s.Action) ? s.Action : [s.Action]))
      .filter((a) => a.startsWith('dynamodb:'));

  it('is a table with point-in-time recovery, an index by owner and date, under the backup plan', () => {
    const table = resources[logicalId(indexTable())];
    expect(table.Properties.PointInTimeRecoverySpecification).toEqual({ PointInTimeRecoveryEnabled: true });
    expect(table.Properties.GlobalSecondaryIndexes.map((i: any) => [i.IndexName, i.KeySchema])).toEqual([
      [
        'byUser',
        [
          { AttributeName: 'userId', KeyType: 'HASH' },
          { AttributeName: 'createdAt', KeyType: 'RANGE' },
        ],
      ],
    ]);
    const selected = ofType('AWS::Backup::BackupSelection')[0].Properties.BackupSelection.Resources;
    expect(selected).toContainEqual(referenceFrom(stack.backup, indexTable(), 'Arn'));
  });

  it('is written by the archive job (which deletes from orders), read-only for the read routes and reconciliation', () => {
    expect(indexActions('archiveOrders')).toEqual(expect.arrayContaining(['dynamodb:PutItem', 'dynamodb:DeleteItem']));
    const orders = statementsOf('archiveOrders').statements.filter((s) =>
      JSON.stringify(s.Resource).includes(mentionOf(functionOf('archiveOrders').role, stack.data.tables.orders)),
    );
    expect(JSON.stringify(orders)).toContain('dynamodb:DeleteItem');
    expect(statementsOf('archiveOrders').environment.ORDER_ARCHIVE_INDEX_TABLE).toEqual(
      referenceFrom(functionOf('archiveOrders').function, indexTable()),
    );
    for (const reader of ['getOrder', 'listOrders', 'reconcilePayments']) {
      const actions = indexActions(reader);
      expect(actions).toEqual(expect.arrayContaining(['dynamodb:GetItem', 'dynamodb:Query']));
      expect(actions.filter((a) => /Put|Delete|Update|Write/.test(a))).toEqual([]);
      expect(statementsOf(reader).environment.ORDER_ARCHIVE_INDEX_TABLE).toEqual(
        referenceFrom(functionOf(reader).function, indexTable()),
      );
    }
  });
});

describe("the stage's stacks", () => {
  it("each stays under CloudFormation's 500 resources with the archive index table", () => {
    const counts = ([stack, stack.downstream, Stack.of(stack.operations)] as Stack[]).map(
      (s) => Object.keys(Template.fromStack(s).toJSON().Resources ?? {}).length,
    );
    for (const count of counts) expect(count).toBeLessThan(500);
  });
});
