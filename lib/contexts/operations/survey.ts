import { Table } from 'aws-cdk-lib/aws-dynamodb';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import { Queue } from 'aws-cdk-lib/aws-sqs';
import type { IConstruct } from 'constructs';
import { AlarmTopic } from '../alarm-topic';
import { Backup } from '../backup';
import { PlatformFunction } from '../platform-function';
import { StreamConsumers, type BuiltConsumer } from '../stream-consumers';

/** What the stage's dashboard and alarms watch, found in the stage's construct tree. */
export interface StageSurvey {
  /** Every function of the platform (routes, saga steps, jobs, consumers, rules), in tree order. */
  readonly functions: readonly PlatformFunction[];
  readonly tables: readonly Table[];
  /**
   * Every SQS queue of the stage. Each is a dead-letter or on-failure queue (the saga's compensation queue, the
   * stream consumers' failure queues, the event rules' dead letters): nothing else in the platform uses SQS.
   */
  readonly deadLetterQueues: readonly Queue[];
  /** Every DynamoDB-stream and Kinesis consumer: their IteratorAge is how far behind their source they are. */
  readonly streamConsumers: readonly BuiltConsumer[];
  /** The contexts' own alarm topics and the backup failure topic: on-call subscribes to all of them. */
  readonly contextTopics: readonly ITopic[];
}

/**
 * Surveys the stage rather than taking lists from the stack, so that a function, table, queue or consumer added to
 * any context later is charted and alarmed without anyone remembering to pass it here. `exclude` is the
 * operations' own subtree (its own topic is not a context's).
 */
export function surveyStage(stage: IConstruct, exclude: IConstruct): StageSurvey {
  const all = stage.node.findAll().filter((c) => !isWithin(c, exclude));
  return {
    functions: all.filter((c): c is PlatformFunction => c instanceof PlatformFunction),
    tables: all.filter((c): c is Table => c instanceof Table),
    deadLetterQueues: all.filter((c): c is Queue => c instanceof Queue),
    streamConsumers: all
      .filter((c): c is StreamConsumers => c instanceof StreamConsumers)
      .flatMap((c) => [...c.consumers.values()]),
    contextTopics: [
      ...all.filter((c): c is AlarmTopic => c instanceof AlarmTopic).map((t) => t.topic),
      ...all.filter((c): c is Backup => c instanceof Backup).map((b) => b.failureTopic),
    ],
  };
}

const isWithin = (construct: IConstruct, ancestor: IConstruct): boolean => construct.node.scopes.includes(ancestor);
