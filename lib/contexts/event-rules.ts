import { Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import { PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Alarm, ComparisonOperator, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { type IEventBus, Rule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { EVENT_REPLAY_RULE_PREFIX, rulePhysicalNames, type EventRule } from '../events';
import type { TableKey } from '../tables';
import type { EmailSender } from './notifications';
import { PlatformFunction } from './platform-function';

export interface EventRulesProps {
  readonly namePrefix: string;
  readonly bus: IEventBus;
  readonly rules: readonly EventRule[];
  /** Every table: a target touches only those its definition names. */
  readonly tables: Readonly<Partial<Record<TableKey, ITable>>>;
  readonly alarmTopic: ITopic;
  /** Needed when a target sends e-mail (lib/contexts/notifications.ts). */
  readonly email?: EmailSender;
}

/** One rule of lib/events.ts, as built. */
export interface BuiltRule {
  readonly rule: EventRule;
  readonly eventRule: Rule;
  readonly function: PlatformFunction;
  readonly deadLetterQueue: Queue;
  readonly deadLettersAlarm: Alarm;
}

/** Lambda retries a failing asynchronous invocation at most twice. */
const LAMBDA_ASYNC_MAX_RETRIES = 2;

/**
 * The consumers of the domain events bus (lib/events.ts `eventRules`): per rule, the rule with its pattern, its
 * function as the one target, and a dead-letter queue with an alarm on its depth. EventBridge retries an invocation
 * it could not make (throttled, function missing) under the rule's policy; the function, invoked asynchronously,
 * is retried by Lambda under the same policy when it fails. Either way the event ends in the same queue. The rule
 * may invoke that function only, the function may send to that queue only, and only the rule's own target may
 * put events there (CDK's resource policy, conditioned on the rule's ARN).
 */
export class EventRules extends Construct {
  readonly rules: ReadonlyMap<string, BuiltRule>;

  constructor(scope: Construct, id: string, props: EventRulesProps) {
    super(scope, id);
    const built = new Map<string, BuiltRule>();
    for (const rule of props.rules) {
      if (built.has(rule.id)) throw new Error(`Duplicate event rule id ${rule.id}`);
      built.set(rule.id, this.build(rule, props));
    }
    this.rules = built;
  }

  private build(rule: EventRule, props: EventRulesProps): BuiltRule {
    const { target } = rule;
    const { maximumRetryAttempts, maximumEventAgeSeconds } = target.retry;
    if (maximumRetryAttempts > LAMBDA_ASYNC_MAX_RETRIES)
      throw new Error(`${rule.id}: a Lambda target retries a failure at most ${LAMBDA_ASYNC_MAX_RETRIES} times`);
    const names = rulePhysicalNames(rule, props.namePrefix);
    const deadLetterQueue = new Queue(this, `${rule.id}DeadLetters`, {
      queueName: names.queueName,
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
      removalPolicy: RemovalPolicy.RETAIN,
    });
    Validations.of(deadLetterQueue).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason: `This queue is itself the dead-letter queue of the ${rule.id} rule and its function: it holds the events they gave up on; its depth is alarmed.`,
    });
    const fn = new PlatformFunction(this, target.id, {
      definition: target,
      tables: props.tables,
      description: `${rule.id} rule's target: ${target.summary}`,
      functionName: names.functionName,
      timeout: Duration.seconds(30),
    });
    if (target.sendsEmail) {
      if (!props.email) throw new Error(`${target.id} sends e-mail, but no EmailSender was given to the rules`);
      for (const [name, value] of Object.entries(props.email.environment)) fn.function.addEnvironment(name, value);
      props.email.grantSend(fn.role);
    }
    const maxEventAge = Duration.seconds(maximumEventAgeSeconds);
    fn.function.configureAsyncInvoke({
      retryAttempts: maximumRetryAttempts,
      maxEventAge,
      onFailure: new SqsDestination(deadLetterQueue),
    });
    const eventRule = new Rule(this, rule.id, {
      ruleName: names.ruleName,
      description: rule.description,
      eventBus: props.bus,
      eventPattern: rule.eventPattern,
      targets: [new LambdaFunction(fn.function, { retryAttempts: maximumRetryAttempts, maxEventAge, deadLetterQueue })],
    });
    const deadLettersAlarm = new Alarm(this, `${rule.id}DeadLettersWaiting`, {
      alarmName: `${props.namePrefix}-${rule.context}-${rule.id}-dead-letters`,
      alarmDescription: `Events ${target.id} could not take wait in ${names.queueName}: fix the cause, then replay them (npm run events:replay) or move them back.`,
      metric: deadLetterQueue.metricApproximateNumberOfMessagesVisible({
        statistic: 'Maximum',
        period: Duration.minutes(5),
      }),
      threshold: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
    deadLettersAlarm.addAlarmAction(new SnsAction(props.alarmTopic));
    this.admitReplayRules(fn, deadLetterQueue, props.bus);
    return { rule, eventRule, function: fn, deadLetterQueue, deadLettersAlarm };
  }

  /** `events:replay --pattern`'s temporary rules on this bus copy the rule's target: let them reach it too. */
  private admitReplayRules(fn: PlatformFunction, deadLetterQueue: Queue, bus: IEventBus) {
    const replayRules = Stack.of(this).formatArn({
      service: 'events',
      resource: 'rule',
      resourceName: `${bus.eventBusName}/${EVENT_REPLAY_RULE_PREFIX}*`,
    });
    const events = new ServicePrincipal('events.amazonaws.com');
    fn.function.addPermission('InvokedByReplayRules', { principal: events, sourceArn: replayRules });
    deadLetterQueue.addToResourcePolicy(
      new PolicyStatement({
        principals: [events],
        actions: ['sqs:SendMessage'],
        resources: [deadLetterQueue.queueArn],
        conditions: { ArnLike: { 'aws:SourceArn': replayRules } },
      }),
    );
  }
}
