import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { Stream, StreamEncryption, StreamMode, type IStream } from 'aws-cdk-lib/aws-kinesis';
import { Construct } from 'constructs';
import { streams as streamSpecs, type StreamKey } from '../streams';

export interface AnalyticsProps {
  /** Physical names start with it: `${namePrefix}-clickstream`. */
  readonly namePrefix: string;
  /** Default RETAIN: the clickstream is business data; dev stages may pass DESTROY. */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * The analytics context's ingestion: the clickstream Kinesis data stream that POST /v1/events writes to.
 * On-demand capacity (traffic is bursty and unknown ahead), encrypted at rest with the AWS managed key
 * `alias/aws/kinesis` (producers need no kms grant for it), records kept for a day.
 */
export class Analytics extends Construct {
  readonly clickstream: Stream;
  /** Every stream, by key, for PlatformFunction: a function gets only those its definition names. */
  readonly streams: Readonly<Record<StreamKey, IStream>>;

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
  }
}
