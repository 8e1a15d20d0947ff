import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { Stream, StreamEncryption, StreamMode, type IStream } from 'aws-cdk-lib/aws-kinesis';
import type { Topic } from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { streamConsumers as allConsumers, type StreamConsumer } from '../analytics';
import { streams as streamSpecs, type StreamKey } from '../streams';
import type { TableKey } from '../tables';
import { AlarmTopic } from './alarm-topic';
import { AnalystDashboards } from './analytics/quicksight';
import { StreamConsumers, type BuiltConsumer } from './stream-consumers';
import { Warehouse } from './analytics/warehouse';

/** Context key of the QuickSight principal (user or group ARN) that gets the dashboards. */
export const QUICKSIGHT_PRINCIPAL_CONTEXT = 'ecicomm:quicksightPrincipalArn';

export interface AnalyticsProps {
  /** Physical names start with it: `${namePrefix}-clickstream`, `${namePrefix}-warehouse`, the queues, the alarms. */
  readonly namePrefix: string;
  /** Every table of the app (the data context's): consumers read the streams of the tables they name. */
  readonly tables: Readonly<Record<TableKey, ITable>>;
  /** Default RETAIN for the clickstream and the warehouse namespace: business data; dev stages may pass DESTROY. */
  readonly removalPolicy?: RemovalPolicy;
  /** The consumers to build; lib/analytics.ts by default (tests may pass a subset). */
  readonly consumers?: readonly StreamConsumer[];
  /**
   * The QuickSight user or group given the data source, data sets and dashboard. Default: the context value
   * `ecicomm:quicksightPrincipalArn`, else the `analysts` group of QuickSight's `default` namespace in this
   * stack's account and region.
   */
  readonly quicksightPrincipalArn?: string;
}

/**
 * The analytics context in AWS: the clickstream Kinesis stream that POST /v1/events writes to; the consumers of
 * lib/analytics.ts, loading the tables' DynamoDB streams and the clickstream into the warehouse, with their
 * on-failure queues and alarms; the Redshift Serverless warehouse; and QuickSight's data source, data sets and
 * dashboard on it.
 *
 * The clickstream runs on demand (traffic is bursty and unknown ahead), encrypted at rest with the AWS managed
 * key `alias/aws/kinesis` (producers and the consumer need no kms grant for it), records kept for a day.
 */
export class Analytics extends Construct {
  readonly clickstream: Stream;
  /** Every stream, by key, for PlatformFunction: a function gets only those its definition names. */
  readonly streams: Readonly<Partial<Record<StreamKey, IStream>>>;
  readonly warehouse: Warehouse;
  readonly alarmTopic: Topic;
  /** The stream consumers by their id in lib/analytics.ts. */
  readonly consumers: ReadonlyMap<string, BuiltConsumer>;
  readonly dashboards: AnalystDashboards;

  constructor(scope: Construct, id: string, props: AnalyticsProps) {
    super(scope, id);
    this.clickstream = new Stream(this, 'Clickstream', {
      streamName: `${props.namePrefix}-${streamSpecs.clickstream.name}`,
      streamMode: StreamMode.ON_DEMAND,
      encryption: StreamEncryption.MANAGED,
      retentionPeriod: Duration.hours(24),
      removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
    });
    this.streams = { clickstream: this.clickstream };

    this.warehouse = new Warehouse(this, 'Warehouse', {
      namePrefix: props.namePrefix,
      removalPolicy: props.removalPolicy,
    });

    this.alarmTopic = new AlarmTopic(this, 'Alarms', {
      namePrefix: props.namePrefix,
      name: 'analytics-alarms',
      displayName: 'ECIComm analytics alarms',
    }).topic;

    this.consumers = new StreamConsumers(this, 'Consumers', {
      namePrefix: props.namePrefix,
      consumers: props.consumers ?? allConsumers,
      tables: props.tables,
      streams: this.streams,
      warehouse: this.warehouse.target,
      alarmTopic: this.alarmTopic,
    }).consumers;

    const principal: unknown = props.quicksightPrincipalArn ?? this.node.tryGetContext(QUICKSIGHT_PRINCIPAL_CONTEXT);
    if (principal !== undefined && (typeof principal !== 'string' || !/^arn:[\w-]+:quicksight:/.test(principal))) {
      throw new Error(
        `${QUICKSIGHT_PRINCIPAL_CONTEXT} must be a QuickSight user or group ARN, got ${JSON.stringify(principal)}`,
      );
    }
    this.dashboards = new AnalystDashboards(this, 'QuickSight', {
      namePrefix: props.namePrefix,
      warehouse: this.warehouse,
      principalArn: principal,
    });
  }
}
