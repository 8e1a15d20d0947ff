/**
 * Backups of every table (lib/tables.ts), on top of their point-in-time recovery: an AWS Backup plan with a daily
 * backup kept 35 days and a monthly one kept a year, into a vault encrypted with its own KMS key; optionally each
 * backup copied to a vault in a second region (context `backupCopyRegion`: a vault named
 * `${namePrefix}-backups-copy` must exist there, deployed with that region's stack or by hand); and an SNS
 * notification whenever a backup, copy or restore job fails.
 */
import { ArnFormat, Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import {
  BackupPlan,
  BackupPlanRule,
  BackupResource,
  BackupVault,
  BackupVaultEvents,
  type BackupPlanCopyActionProps,
} from 'aws-cdk-lib/aws-backup';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { Schedule } from 'aws-cdk-lib/aws-events';
import { Construct } from 'constructs';
import type { TableKey } from '../tables';

export interface BackupProps {
  readonly namePrefix: string;
  readonly tables: Readonly<Record<TableKey, ITable>>;
  /** A second region each backup is copied to (context `backupCopyRegion`); none by default. */
  readonly copyRegion?: string;
}

export const DAILY_RETENTION = Duration.days(35);
export const MONTHLY_RETENTION = Duration.days(365);
/** The jobs whose failure someone must hear about. */
export const FAILURE_EVENTS = [
  BackupVaultEvents.BACKUP_JOB_FAILED,
  BackupVaultEvents.COPY_JOB_FAILED,
  BackupVaultEvents.RESTORE_JOB_FAILED,
];

export class Backup extends Construct {
  readonly vault: BackupVault;
  readonly plan: BackupPlan;
  readonly failureTopic: Topic;

  constructor(scope: Construct, id: string, props: BackupProps) {
    super(scope, id);
    const key = new Key(this, 'VaultKey', {
      description: `Encrypts ${props.namePrefix}'s backup vault and its failure notifications`,
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    // AWS Backup publishes its vault notifications to an encrypted topic with this key, for this account only.
    key.addToResourcePolicy(
      new PolicyStatement({
        principals: [new ServicePrincipal('backup.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
        conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(this).account } },
      }),
    );
    this.failureTopic = new Topic(this, 'FailureTopic', {
      topicName: `${props.namePrefix}-backup-failures`,
      displayName: 'ECIComm backup, copy or restore job failed',
      masterKey: key,
      enforceSSL: true,
    });
    this.vault = new BackupVault(this, 'Vault', {
      backupVaultName: `${props.namePrefix}-backups`,
      encryptionKey: key,
      notificationTopic: this.failureTopic,
      notificationEvents: FAILURE_EVENTS,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const copyActions = (deleteAfter: Duration): BackupPlanCopyActionProps[] =>
      props.copyRegion
        ? [
            {
              destinationBackupVault: BackupVault.fromBackupVaultArn(
                this,
                `CopyVault${deleteAfter.toDays()}`,
                Stack.of(this).formatArn({
                  service: 'backup',
                  region: props.copyRegion,
                  resource: 'backup-vault',
                  resourceName: `${props.namePrefix}-backups-copy`,
                  arnFormat: ArnFormat.COLON_RESOURCE_NAME,
                }),
              ),
              deleteAfter,
            },
          ]
        : [];
    this.plan = new BackupPlan(this, 'Plan', {
      backupPlanName: `${props.namePrefix}-tables`,
      backupVault: this.vault,
      backupPlanRules: [
        new BackupPlanRule({
          ruleName: 'Daily',
          scheduleExpression: Schedule.cron({ minute: '0', hour: '3' }),
          deleteAfter: DAILY_RETENTION,
          copyActions: copyActions(DAILY_RETENTION),
        }),
        new BackupPlanRule({
          ruleName: 'Monthly',
          scheduleExpression: Schedule.cron({ minute: '0', hour: '4', day: '1' }),
          deleteAfter: MONTHLY_RETENTION,
          copyActions: copyActions(MONTHLY_RETENTION),
        }),
      ],
    });
    const selection = this.plan.addSelection('Tables', {
      resources: Object.values(props.tables).map((table) => BackupResource.fromDynamoDbTable(table)),
    });
    Validations.of(selection).acknowledge({
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForBackup]',
      reason:
        "AWS Backup's own managed policy for the role it assumes to back up the selected tables: AWS keeps it in step with the services Backup supports.",
    });
  }
}
