import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, TreatMissingData, type IMetric } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Topic } from 'aws-cdk-lib/aws-sns';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { DefinitionBody, LogLevel, StateMachine, StateMachineType } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import type { FunctionBuckets } from './function-buckets';
import { orderSaga, scheduledJobs, type SagaTask, type ScheduledJob } from '../saga';
import type { TableKey } from '../tables';
import { AlarmTopic } from './alarm-topic';
import { PROJECT_ROOT } from './function-bundling';
import { PlatformFunction } from './platform-function';

export interface CheckoutProps {
  /** Physical names (state machine, queue, topic, alarms) start with it, as the tables' do. */
  readonly namePrefix: string;
  readonly tables: Readonly<Record<TableKey, ITable>>;
  /** The buckets its jobs name (the archive of old orders). */
  readonly buckets?: FunctionBuckets;
}

/** A scheduled job: its function, the EventBridge rule that runs it, and the alarm on its failing runs. */
export interface ScheduledFunction {
  readonly job: ScheduledJob;
  readonly function: PlatformFunction;
  readonly rule: Rule;
  readonly errors: Alarm;
}

type AslState = { Type: string; Resource?: string; TimeoutSeconds?: number };

/**
 * Checkout as a saga (orders, with the inventory and payments steps it drives): one function per Task of
 * lib/saga.ts bound into state-machines/order-saga.asl.json through definitionSubstitutions, the
 * compensation dead-letter queue, alarms on failed and timed-out executions and on dead letters, and the
 * scheduled jobs (settlement every minute, payment reconciliation daily) on EventBridge schedules.
 */
export class Checkout extends Construct {
  readonly stateMachine: StateMachine;
  /** Saga Task functions by their id in lib/saga.ts. */
  readonly taskFunctions: ReadonlyMap<string, PlatformFunction>;
  readonly deadLetterQueue: Queue;
  readonly alarmTopic: Topic;
  readonly alarms: {
    readonly executionsFailed: Alarm;
    readonly executionsTimedOut: Alarm;
    readonly deadLetters: Alarm;
  };
  /** Scheduled jobs by their id in lib/saga.ts. */
  readonly scheduled: ReadonlyMap<string, ScheduledFunction>;

  constructor(scope: Construct, id: string, props: CheckoutProps) {
    super(scope, id);
    const definition = readFileSync(join(PROJECT_ROOT, orderSaga.definitionFile), 'utf8');
    const states = (JSON.parse(definition) as { States: Record<string, AslState> }).States;
    this.taskFunctions = this.buildTaskFunctions(states, props);
    this.deadLetterQueue = this.buildDeadLetterQueue(props);

    const substitutions: Record<string, string> = {
      [orderSaga.deadLetterQueueSubstitution]: this.deadLetterQueue.queueUrl,
    };
    for (const task of orderSaga.tasks)
      substitutions[task.substitution] = this.taskFunctions.get(task.id)!.function.functionArn;
    requireEveryPlaceholderBound(definition, substitutions);
    this.stateMachine = this.buildStateMachine(definition, substitutions, props);

    this.alarmTopic = new AlarmTopic(this, 'Alarms', {
      namePrefix: props.namePrefix,
      name: 'checkout-alarms',
      displayName: 'ECIComm checkout alarms',
    }).topic;
    this.alarms = this.buildAlarms(props.namePrefix);
    this.scheduled = this.buildScheduledJobs(props);
  }

  private buildTaskFunctions(states: Record<string, AslState>, props: CheckoutProps): Map<string, PlatformFunction> {
    const taskFunctions = new Map<string, PlatformFunction>();
    for (const task of orderSaga.tasks) {
      taskFunctions.set(
        task.id,
        new PlatformFunction(this, task.id, {
          definition: task,
          tables: props.tables,
          description: `the ${task.state} step of ${orderSaga.name}`,
          timeout: functionTimeoutFor(task, states),
        }),
      );
    }
    return taskFunctions;
  }

  private buildDeadLetterQueue(props: CheckoutProps): Queue {
    const queue = new Queue(this, 'CompensationDeadLetterQueue', {
      queueName: `${props.namePrefix}-${orderSaga.deadLetterQueueName}`,
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      // The longest SQS keeps a message: the time an operator has to redrive a saga whose compensation failed.
      retentionPeriod: Duration.days(14),
      removalPolicy: RemovalPolicy.RETAIN,
    });
    Validations.of(queue).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason:
        'This queue is itself the dead-letter queue of the order saga: Step Functions sends it the state of a saga whose compensation kept failing, nothing consumes it automatically, and its depth is alarmed.',
    });
    return queue;
  }

  private buildStateMachine(
    definition: string,
    substitutions: Record<string, string>,
    props: CheckoutProps,
  ): StateMachine {
    const logs = new LogGroup(this, 'SagaLogs', {
      // Step Functions delivers logs as a vended log source; this prefix keeps the log group's resource
      // policy from growing with every state machine.
      logGroupName: `/aws/vendedlogs/states/${props.namePrefix}-${orderSaga.name}`,
      retention: RetentionDays.ONE_YEAR,
    });
    const stateMachine = new StateMachine(this, 'OrderSaga', {
      stateMachineName: `${props.namePrefix}-${orderSaga.name}`,
      stateMachineType: StateMachineType.STANDARD,
      // Inlined rather than uploaded (fromFile) so that the template, and the tests reading it, hold the definition.
      definitionBody: DefinitionBody.fromString(definition),
      definitionSubstitutions: substitutions,
      // Every state transition, without its input and output: those carry addresses and payment tokens.
      logs: { destination: logs, level: LogLevel.ALL, includeExecutionData: false },
      tracingEnabled: true,
    });
    // The definition is a string CDK cannot see into, so the role gets what its Tasks use, and only that:
    // the Task functions (invoked by their unqualified ARN) and the dead-letter queue.
    stateMachine.addToRolePolicy(
      new PolicyStatement({
        actions: ['lambda:InvokeFunction'],
        resources: [...this.taskFunctions.values()].map((f) => f.function.functionArn),
      }),
    );
    stateMachine.addToRolePolicy(
      new PolicyStatement({ actions: ['sqs:SendMessage'], resources: [this.deadLetterQueue.queueArn] }),
    );
    Validations.of(stateMachine.role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'Only what CDK grants for logging and tracing: the CloudWatch Logs delivery actions (logs:*LogDelivery*, DescribeLogGroups, resource policies) and xray:PutTraceSegments/PutTelemetryRecords/GetSampling*, which accept no narrower resource.',
    });
    return stateMachine;
  }

  private alarm(namePrefix: string, alarmId: string, metric: IMetric, description: string, periods = 1): Alarm {
    const created = new Alarm(this, alarmId, {
      alarmName: `${namePrefix}-${orderSaga.name}-${alarmId}`,
      alarmDescription: description,
      metric,
      threshold: 0,
      comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: periods,
      datapointsToAlarm: periods,
      // No executions (or an idle queue) is not a problem.
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
    created.addAlarmAction(new SnsAction(this.alarmTopic));
    return created;
  }

  private buildAlarms(namePrefix: string): Checkout['alarms'] {
    const oneMinute = Duration.minutes(1);
    return {
      executionsFailed: this.alarm(
        namePrefix,
        'ExecutionsFailed',
        this.stateMachine.metricFailed({ period: oneMinute, statistic: 'Sum' }),
        'An order saga execution failed: a compensation kept failing and its state went to the dead-letter queue, or the saga itself broke.',
      ),
      executionsTimedOut: this.alarm(
        namePrefix,
        'ExecutionsTimedOut',
        this.stateMachine.metricTimedOut({ period: oneMinute, statistic: 'Sum' }),
        'An order saga execution timed out; the settlement pass cancels its order, refunds it and releases its stock, but the cause needs looking at.',
      ),
      deadLetters: this.alarm(
        namePrefix,
        'CompensationDeadLetters',
        this.deadLetterQueue.metricApproximateNumberOfMessagesVisible({ period: oneMinute, statistic: 'Maximum' }),
        'A saga whose compensation failed left its order, failure and error in the dead-letter queue; the settlement pass finishes the order, an operator finds out why.',
      ),
    };
  }

  /** The scheduled jobs: each on an EventBridge schedule, with an alarm after failed runs in a row. */
  private buildScheduledJobs(props: CheckoutProps): Map<string, ScheduledFunction> {
    const scheduled = new Map<string, ScheduledFunction>();
    for (const job of scheduledJobs) {
      const fn = new PlatformFunction(this, job.id, {
        definition: job,
        tables: props.tables,
        buckets: props.buckets,
        saga: this.stateMachine,
        description: `every ${job.everyMinutes} min: ${job.summary}`,
        // A run ends before the next one starts.
        timeout: Duration.seconds(Math.min(job.everyMinutes * 60, 900) - 10),
      });
      const rule = new Rule(this, `${job.id}Schedule`, {
        description: `${job.summary} (lib/saga.ts: ${job.id})`,
        schedule: Schedule.rate(Duration.minutes(job.everyMinutes)),
        // The next run comes within minutes and does the same idempotent work, so a failed run is not
        // retried, neither by EventBridge nor by Lambda's asynchronous invocation.
        targets: [new LambdaFunction(fn.function, { retryAttempts: 0 })],
      });
      fn.function.configureAsyncInvoke({ retryAttempts: 0 });
      const runs = job.alarmAfterFailedRuns;
      const errors = this.alarm(
        props.namePrefix,
        `${job.id}Errors`,
        fn.function.metricErrors({ period: Duration.minutes(job.everyMinutes), statistic: 'Sum' }),
        `${job.id} (${job.summary}) failed on ${runs} runs in a row.`,
        runs,
      );
      scheduled.set(job.id, { job, function: fn, rule, errors });
    }
    return scheduled;
  }
}

/**
 * A Task's function stops a second before its state gives up, so a retry never overlaps an attempt that
 * is still running.
 */
function functionTimeoutFor(task: SagaTask, states: Record<string, AslState>): Duration {
  const state = states[task.state];
  if (state?.Type !== 'Task')
    throw new Error(`${orderSaga.definitionFile} has no Task state ${task.state} (lib/saga.ts: ${task.id})`);
  if (state.Resource !== `\${${task.substitution}}`) {
    throw new Error(
      `${task.state}'s Resource in ${orderSaga.definitionFile} must be \${${task.substitution}}, is ${state.Resource}`,
    );
  }
  if (!state.TimeoutSeconds || state.TimeoutSeconds < 2)
    throw new Error(`${task.state} in ${orderSaga.definitionFile} needs a TimeoutSeconds of 2 or more`);
  return Duration.seconds(state.TimeoutSeconds - 1);
}

/** An unbound `${Name}` would only show when the deployment or a saga fails; the synth fails instead. */
function requireEveryPlaceholderBound(definition: string, substitutions: Record<string, string>) {
  const placeholders = new Set([...definition.matchAll(/\$\{(\w+)\}/g)].map((m) => m[1]));
  const unbound = [...placeholders].filter((p) => !(p in substitutions));
  const unused = Object.keys(substitutions).filter((s) => !placeholders.has(s));
  if (unbound.length || unused.length) {
    throw new Error(
      `${orderSaga.definitionFile}: no substitution for ${unbound.join(', ') || '-'}; substitutions without a placeholder: ${unused.join(', ') || '-'}`,
    );
  }
}
