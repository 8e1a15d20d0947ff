import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import type { IStream } from 'aws-cdk-lib/aws-kinesis';
import { StartingPosition } from 'aws-cdk-lib/aws-lambda';
import {
  DynamoEventSource,
  KinesisEventSource,
  SqsDlq,
  type StreamEventSourceProps,
} from 'aws-cdk-lib/aws-lambda-event-sources';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { consumerPhysicalNames, type StreamConsumer } from '../stream-consumer-spec';
import type { StreamKey } from '../streams';
import type { TableKey } from '../tables';
import { PlatformFunction, type SearchTarget, type WarehouseTarget } from './platform-function';

export interface StreamConsumersProps {
  readonly namePrefix: string;
  readonly consumers: readonly StreamConsumer[];
  /** Every table: a consumer reads the stream of the one it names, and touches those its definition names. */
  readonly tables: Readonly<Partial<Record<TableKey, ITable>>>;
  readonly streams?: Readonly<Partial<Record<StreamKey, IStream>>>;
  /** For consumers that load the warehouse (the analytics loaders). */
  readonly warehouse?: WarehouseTarget;
  /** For consumers that write the search index (the search indexer). */
  readonly search?: SearchTarget;
  readonly alarmTopic: ITopic;
  /** An iterator older than this (Maximum over 5 minutes) means the consumer falls behind. Default 60 s. */
  readonly iteratorAgeThreshold?: Duration;
}

/** One consumer of lib/stream-consumers.ts, as built. */
export interface BuiltConsumer {
  readonly consumer: StreamConsumer;
  readonly function: PlatformFunction;
  /** The on-failure destination: records that kept failing, or grew too old, with where to re-read them. */
  readonly failureQueue: Queue;
  readonly eventSource: DynamoEventSource | KinesisEventSource;
  readonly alarms: { readonly iteratorAge: Alarm; readonly failures: Alarm };
}

/**
 * Stream consumers of lib/stream-consumers.ts — a context's own (the analytics loaders, the search indexer): per
 * entry a function, its event source mapping on the table's DynamoDB stream or the Kinesis stream with exactly the
 * entry's settings, its on-failure SQS queue, and alarms on iterator age and on failures waiting in the queue
 * (named `<prefix>-<context>-<id>-…`). The mapping grants the function the read of its own stream and the send to
 * its own queue; nothing else may read a stream.
 */
export class StreamConsumers extends Construct {
  readonly consumers: ReadonlyMap<string, BuiltConsumer>;

  constructor(scope: Construct, id: string, props: StreamConsumersProps) {
    super(scope, id);
    const built = new Map<string, BuiltConsumer>();
    for (const consumer of props.consumers) {
      if (built.has(consumer.id)) throw new Error(`Duplicate stream consumer id ${consumer.id}`);
      built.set(consumer.id, this.build(consumer, props));
    }
    this.consumers = built;
  }

  private build(consumer: StreamConsumer, props: StreamConsumersProps): BuiltConsumer {
    const names = consumerPhysicalNames(consumer, props.namePrefix);
    const fn = new PlatformFunction(this, consumer.id, {
      definition: consumer,
      tables: props.tables,
      warehouse: props.warehouse,
      search: props.search,
      description: `${sourceName(consumer)} consumer: ${consumer.summary}`,
      // The name `npm run redrive -- --consumer <id> --prefix <namePrefix>` invokes.
      functionName: names.functionName,
      // A batch goes to Redshift through the Data API, which is polled until done, and a paused Serverless
      // workgroup takes a while to resume; the adapter gives up on a statement after 5 minutes. A search batch is
      // one _bulk (and on a new stage the alias's migration), each request given 30 s and three retries.
      timeout: consumer.warehouse ? Duration.minutes(6) : Duration.minutes(3),
    });

    const failureQueue = new Queue(this, `${consumer.id}Failures`, {
      queueName: names.queueName,
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      // The longest SQS keeps a message: the time an operator has to fix the cause and redrive.
      retentionPeriod: Duration.days(14),
      removalPolicy: RemovalPolicy.RETAIN,
    });
    Validations.of(failureQueue).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason: `This queue is itself the on-failure destination of the ${consumer.id} event source mapping: it holds the positions of records that kept failing, for the redrive command; its depth is alarmed.`,
    });

    const settings: StreamEventSourceProps = {
      startingPosition: StartingPosition[consumer.startingPosition],
      batchSize: consumer.batchSize,
      maxBatchingWindow: Duration.seconds(consumer.maximumBatchingWindowSeconds),
      bisectBatchOnError: consumer.bisectBatchOnFunctionError,
      reportBatchItemFailures: consumer.reportBatchItemFailures,
      retryAttempts: consumer.maximumRetryAttempts,
      maxRecordAge: Duration.seconds(consumer.maximumRecordAgeSeconds),
      onFailure: new SqsDlq(failureQueue),
    };
    const { source } = consumer;
    const eventSource =
      source.kind === 'table'
        ? new DynamoEventSource(requireTable(consumer, props.tables[source.table]), settings)
        : new KinesisEventSource(requireStream(consumer, props.streams?.[source.stream]), settings);
    fn.function.addEventSource(eventSource);
    if (source.kind === 'table') {
      // DynamoDB's stream grant includes dynamodb:ListStreams, which takes no resource but "*".
      Validations.of(fn.role).acknowledge({
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason: `${consumer.id} reads the ${source.table} table's stream through its event source mapping, whose grant includes dynamodb:ListStreams: it accepts only Resource "*"; the stream's records are granted on that stream's ARN alone.`,
      });
    }

    const alarms = this.buildAlarms(consumer, fn, failureQueue, props);
    return { consumer, function: fn, failureQueue, eventSource, alarms };
  }

  /** The consumer falling behind its source, and records waiting in its failure queue. */
  private buildAlarms(
    consumer: StreamConsumer,
    fn: PlatformFunction,
    failureQueue: Queue,
    props: StreamConsumersProps,
  ): BuiltConsumer['alarms'] {
    const notifying = (created: Alarm) => {
      created.addAlarmAction(new SnsAction(props.alarmTopic));
      return created;
    };
    const { queueName } = consumerPhysicalNames(consumer, props.namePrefix);
    const fiveMinutes = Duration.minutes(5);
    const iteratorAge = props.iteratorAgeThreshold ?? Duration.seconds(60);
    return {
      iteratorAge: notifying(
        new Alarm(this, `${consumer.id}IteratorAge`, {
          alarmName: `${props.namePrefix}-${consumer.context}-${consumer.id}-iterator-age`,
          alarmDescription: `${consumer.id} is falling behind its ${sourceName(consumer)}: its oldest record waited more than ${iteratorAge.toSeconds()} s. Records older than ${consumer.maximumRecordAgeSeconds} s go unprocessed to ${queueName}.`,
          metric: fn.function.metric('IteratorAge', { statistic: 'Maximum', period: fiveMinutes }),
          threshold: iteratorAge.toMilliseconds(),
          comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
          evaluationPeriods: 1,
          // No records, no data points: an idle stream is not behind.
          treatMissingData: TreatMissingData.NOT_BREACHING,
        }),
      ),
      failures: notifying(
        new Alarm(this, `${consumer.id}FailuresWaiting`, {
          alarmName: `${props.namePrefix}-${consumer.context}-${consumer.id}-failures`,
          alarmDescription: `Records of the ${sourceName(consumer)} that ${consumer.id} could not load wait in ${queueName}; fix the cause and redrive them.`,
          metric: failureQueue.metricApproximateNumberOfMessagesVisible({ statistic: 'Maximum', period: fiveMinutes }),
          threshold: 1,
          comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
          evaluationPeriods: 1,
          treatMissingData: TreatMissingData.NOT_BREACHING,
        }),
      ),
    };
  }
}

const sourceName = ({ source }: StreamConsumer) =>
  source.kind === 'table' ? `${source.table} table stream` : `${source.stream} Kinesis stream`;

function requireStream(consumer: StreamConsumer, stream: IStream | undefined): IStream {
  if (!stream)
    throw new Error(
      `${consumer.id} consumes the ${consumer.source.kind === 'stream' ? consumer.source.stream : '?'} Kinesis stream, which was not given to it`,
    );
  return stream;
}

function requireTable(consumer: StreamConsumer, table: ITable | undefined): ITable {
  if (!table?.tableStreamArn)
    throw new Error(
      `${consumer.id} consumes the ${consumer.source.kind === 'table' ? consumer.source.table : '?'} table's stream, which has no stream`,
    );
  return table;
}
