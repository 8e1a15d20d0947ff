import { Duration, RemovalPolicy, Size, Validations } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import {
  Compression,
  DeliveryStream,
  EnableLogging,
  KinesisStreamSource,
  S3Bucket,
} from 'aws-cdk-lib/aws-kinesisfirehose';
import { Stream, StreamEncryption, StreamMode } from 'aws-cdk-lib/aws-kinesis';
import { Effect, Policy, PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { StorageClass, type Bucket } from 'aws-cdk-lib/aws-s3';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { AUDIT_ARCHIVE_GLACIER_AFTER_DAYS, auditArchive, auditConsumers } from '../audit';
import { streams as streamSpecs } from '../streams';
import type { TableKey } from '../tables';
import { AlarmTopic } from './alarm-topic';
import { privateBucket } from './private-bucket';
import { StreamConsumers, type BuiltConsumer } from './stream-consumers';

export interface AuditProps {
  readonly namePrefix: string;
  /** Every table: the recorder writes the audit table. */
  readonly tables: Readonly<Partial<Record<TableKey, ITable>>>;
  readonly alarmTopic?: ITopic;
  /** Where the audit stream is created (the routes' stack when this context is nested); here by default. */
  readonly streamScope?: Construct;
  /** Default RETAIN: an audit trail outlives the stack. */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * The audit context (lib/audit.ts): the Kinesis audit stream every audited route's function writes to (the API
 * construct grants each one PutRecord on it), its archive — a Firehose delivery stream to the audit bucket as
 * gzipped JSON lines under `audit/yyyy/mm/dd/`, moved to Glacier after AUDIT_ARCHIVE_GLACIER_AFTER_DAYS — and the
 * recorder, the stream consumer that keeps the recent trail in the audit table for GET /v1/audit.
 */
export class Audit extends Construct {
  readonly stream: Stream;
  readonly bucket: Bucket;
  readonly deliveryStream: DeliveryStream;
  readonly alarmTopic: ITopic;
  readonly consumers: ReadonlyMap<string, BuiltConsumer>;

  constructor(scope: Construct, id: string, props: AuditProps) {
    super(scope, id);
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
    // Encrypted with the AWS managed key alias/aws/kinesis: writers and readers need no KMS grant for it.
    // A week of retention: the archive and the recorder may fall that far behind and still lose nothing.
    this.stream = new Stream(props.streamScope ?? this, props.streamScope ? 'AuditStream' : 'Stream', {
      streamName: `${props.namePrefix}-${streamSpecs.audit.name}`,
      streamMode: StreamMode.ON_DEMAND,
      encryption: StreamEncryption.MANAGED,
      retentionPeriod: Duration.days(7),
      removalPolicy,
    });
    this.bucket = this.buildBucket(removalPolicy);
    this.deliveryStream = this.buildArchive(props.namePrefix);
    this.alarmTopic =
      props.alarmTopic ??
      new AlarmTopic(this, 'Alarms', {
        namePrefix: props.namePrefix,
        name: 'audit-alarms',
        displayName: 'ECIComm audit alarms',
      }).topic;
    this.consumers = new StreamConsumers(this, 'Recorders', {
      namePrefix: props.namePrefix,
      consumers: auditConsumers,
      tables: props.tables,
      streams: { audit: this.stream },
      alarmTopic: this.alarmTopic,
    }).consumers;
  }

  /** Private, S3-encrypted, TLS-only and versioned: an archived event is never lost to an overwrite or a delete. */
  private buildBucket(removalPolicy: RemovalPolicy): Bucket {
    return privateBucket(this, 'Bucket', {
      removalPolicy,
      lifecycleRules: [
        {
          id: 'archive-to-glacier',
          transitions: [
            { storageClass: StorageClass.GLACIER, transitionAfter: Duration.days(AUDIT_ARCHIVE_GLACIER_AFTER_DAYS) },
          ],
          noncurrentVersionTransitions: [{ storageClass: StorageClass.GLACIER, transitionAfter: Duration.days(1) }],
          abortIncompleteMultipartUploadAfter: Duration.days(1),
        },
      ],
      accessLogs: {
        notLoggedBecause:
          'The bucket holds the audit trail itself and only Firehose writes it; access to it is recorded by CloudTrail (management and, where enabled, data events), and a server access log bucket would need an access log of its own.',
      },
    });
  }

  /**
   * Firehose from the stream to the bucket, as lib/audit.ts describes it (the local platform follows the same).
   * Its S3 role is built here with exactly what Firehose's S3 delivery needs — the construct's own grant would add
   * s3:DeleteObject* to the archive — and passed to the construct immutable, so no grant widens it.
   */
  private buildArchive(namePrefix: string): DeliveryStream {
    const spec = auditArchive;
    const logGroup = new LogGroup(this, 'ArchiveErrors', { retention: RetentionDays.ONE_YEAR });
    const role = new Role(this, 'ArchiveRole', {
      assumedBy: new ServicePrincipal('firehose.amazonaws.com'),
      description: `Firehose ${namePrefix}-${spec.name}: writes the audit archive`,
    });
    const policy = new Policy(this, 'ArchivePolicy', {
      roles: [role],
      statements: [
        new PolicyStatement({
          effect: Effect.ALLOW,
          actions: ['s3:GetBucketLocation', 's3:ListBucket', 's3:ListBucketMultipartUploads'],
          resources: [this.bucket.bucketArn],
        }),
        new PolicyStatement({
          effect: Effect.ALLOW,
          actions: ['s3:PutObject', 's3:GetObject', 's3:AbortMultipartUpload'],
          resources: [this.bucket.arnForObjects('*')],
        }),
        new PolicyStatement({
          effect: Effect.ALLOW,
          actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
          resources: [logGroup.logGroupArn],
        }),
      ],
    });
    Validations.of(policy).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::<AuditBucket7486E833.Arn>/*]',
      reason:
        'Firehose names each archive object itself (prefix, time and a random part): it may put, read back and abort uploads of objects in the audit bucket, and nothing else; it may not delete.',
    });
    Validations.of(policy).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::<AuditArchiveErrorsD2B1B8E8.Arn>:*]',
      reason: 'Firehose creates its own log streams in the archive error log group; that group alone.',
    });
    const deliveryStream = new DeliveryStream(this, 'Archive', {
      deliveryStreamName: `${namePrefix}-${spec.name}`,
      source: new KinesisStreamSource(this.stream),
      destination: new S3Bucket(this.bucket, {
        role: role.withoutPolicyUpdates(),
        dataOutputPrefix: spec.prefix,
        errorOutputPrefix: spec.errorOutputPrefix,
        compression: Compression.GZIP,
        fileExtension: spec.fileExtension,
        bufferingInterval: Duration.seconds(spec.bufferingIntervalSeconds),
        bufferingSize: Size.mebibytes(spec.bufferingSizeMiB),
        loggingConfig: new EnableLogging(logGroup),
      }),
    });
    // Firehose checks its role's access when the delivery stream is created.
    deliveryStream.node.addDependency(policy);
    Validations.of(deliveryStream).acknowledge({
      id: 'AwsSolutions-KDF1',
      reason:
        'A delivery stream whose source is a Kinesis stream cannot enable its own server-side encryption: the records are encrypted at rest in the source stream (AWS managed key) and in the bucket (SSE-S3), and in transit by TLS.',
    });
    return deliveryStream;
  }
}
