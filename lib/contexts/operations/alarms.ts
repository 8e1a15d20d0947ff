import { Duration } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, MathExpression, TreatMissingData, type IMetric } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import type { IStateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { RUNBOOKS } from './runbooks';
import { chunk, combined, type ApiMetrics, type BusinessMetrics } from './metrics';
import type { StageSurvey } from './survey';

export interface OperationsAlarmsProps {
  readonly namePrefix: string;
  readonly topic: ITopic;
  readonly api: ApiMetrics;
  readonly saga: IStateMachine;
  readonly business: BusinessMetrics;
  readonly survey: StageSurvey;
}

interface AlarmSpec {
  readonly runbook: string;
  readonly metric: IMetric;
  readonly threshold: number;
  readonly comparisonOperator?: ComparisonOperator;
  readonly evaluationPeriods?: number;
  readonly datapointsToAlarm?: number;
}

const minute = Duration.minutes(1);
const fiveMinutes = Duration.minutes(5);
const fifteenMinutes = Duration.minutes(15);

/**
 * The stage's alarms, each notifying the stage's topic and describing, in its description, what it means, what to
 * check first and how to mitigate. Stage-wide sums over more than 10 resources are alarmed in groups of 10 (the
 * most metrics an alarm's math may use): `lambdaErrors` is a list, each entry naming the functions it watches.
 */
export class OperationsAlarms extends Construct {
  readonly api5xxRate: Alarm;
  readonly apiLatencyP99: Alarm;
  readonly lambdaErrors: readonly Alarm[];
  readonly lambdaThrottles: readonly Alarm[];
  readonly sagaFailures: Alarm;
  readonly deadLetters: readonly Alarm[];
  readonly iteratorAge: readonly Alarm[];
  readonly dynamoDbThrottles: readonly Alarm[];
  readonly paymentDeclineSpike: Alarm;
  readonly noOrdersConfirmed: Alarm;

  constructor(
    scope: Construct,
    id: string,
    private readonly props: OperationsAlarmsProps,
  ) {
    super(scope, id);
    this.api5xxRate = this.alarm('Api5xxRate', 'api-5xx-rate', {
      runbook: RUNBOOKS.api5xxRate,
      metric: new MathExpression({
        // A percentage, and none below 10 requests a minute: one 500 among three requests is not an outage.
        expression: 'IF(requests >= 10, 100 * errors / requests, 0)',
        usingMetrics: {
          errors: props.api.stageWide('5XXError', 'Sum', minute),
          requests: props.api.stageWide('Count', 'Sum', minute),
        },
        label: '5xx (% of requests)',
        period: minute,
      }),
      threshold: 1,
      evaluationPeriods: 5,
      datapointsToAlarm: 3,
    });
    this.apiLatencyP99 = this.alarm('ApiLatencyP99', 'api-latency-p99', {
      runbook: RUNBOOKS.apiLatencyP99,
      metric: props.api.stageWide('Latency', 'p99', fiveMinutes),
      threshold: 2000,
      evaluationPeriods: 3,
    });
    this.lambdaErrors = this.functionAlarms('LambdaErrors', 'lambda-errors', 'Errors', 5);
    this.lambdaThrottles = this.functionAlarms('LambdaThrottles', 'lambda-throttles', 'Throttles', 10);
    this.sagaFailures = this.buildSagaFailures();
    this.deadLetters = this.buildDeadLetters();
    this.iteratorAge = this.buildIteratorAge();
    this.dynamoDbThrottles = this.buildDynamoDbThrottles();
    this.paymentDeclineSpike = this.buildPaymentDeclineSpike();
    this.noOrdersConfirmed = this.buildNoOrdersConfirmed();
  }

  /** Every alarm of the stage's operations. */
  get all(): Alarm[] {
    return [
      this.api5xxRate,
      this.apiLatencyP99,
      ...this.lambdaErrors,
      ...this.lambdaThrottles,
      this.sagaFailures,
      ...this.deadLetters,
      ...this.iteratorAge,
      ...this.dynamoDbThrottles,
      this.paymentDeclineSpike,
      this.noOrdersConfirmed,
    ];
  }

  private alarm(id: string, name: string, spec: AlarmSpec): Alarm {
    const created = new Alarm(this, id, {
      alarmName: `${this.props.namePrefix}-ops-${name}`,
      alarmDescription: spec.runbook,
      metric: spec.metric,
      threshold: spec.threshold,
      comparisonOperator: spec.comparisonOperator ?? ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: spec.evaluationPeriods ?? 1,
      datapointsToAlarm: spec.datapointsToAlarm,
      // No traffic, no data points: an idle stage is not failing (the business alarms fill their gaps with 0).
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
    created.addAlarmAction(new SnsAction(this.props.topic));
    return created;
  }

  /** One alarm per group of up to `size` (10) items: `${name}-1-of-3`…, each naming the items it watches. */
  private grouped<T>(
    items: readonly T[],
    id: string,
    name: string,
    build: (group: T[], groupName: string) => AlarmSpec,
    size?: number,
  ): Alarm[] {
    const groups = chunk(items, size);
    return groups.map((group, i) => {
      const suffix = groups.length > 1 ? `-${i + 1}-of-${groups.length}` : '';
      return this.alarm(`${id}${i + 1}`, `${name}${suffix}`, build(group, `${name}${suffix}`));
    });
  }

  private functionAlarms(id: string, name: string, metricName: 'Errors' | 'Throttles', threshold: number) {
    const { functions } = this.props.survey;
    const runbook = metricName === 'Errors' ? RUNBOOKS.lambdaErrors : RUNBOOKS.lambdaThrottles;
    const period = metricName === 'Errors' ? minute : fiveMinutes;
    return this.grouped(functions, id, name, (group, groupName) => ({
      runbook: runbook(group.map((fn) => fn.definition.id)),
      metric: combined(
        'SUM',
        group.map((fn) => fn.function.metric(metricName, { statistic: 'Sum', period })),
        groupName,
        period,
      ),
      threshold,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      // Errors: 2 of 3 minutes, quick enough to roll a 5-minute canary back.
      ...(metricName === 'Errors' ? { evaluationPeriods: 3, datapointsToAlarm: 2 } : {}),
    }));
  }

  private buildSagaFailures(): Alarm {
    const { saga } = this.props;
    const sum = { statistic: 'Sum', period: fiveMinutes };
    return this.alarm('SagaFailures', 'saga-failures', {
      runbook: RUNBOOKS.sagaFailures,
      metric: combined(
        'SUM',
        [saga.metricFailed(sum), saga.metricTimedOut(sum), saga.metricAborted(sum)],
        'saga executions failed, timed out or aborted',
        fiveMinutes,
      ),
      threshold: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    });
  }

  private buildDeadLetters(): Alarm[] {
    return this.grouped(this.props.survey.deadLetterQueues, 'DeadLetters', 'dead-letters', (group, groupName) => ({
      runbook: RUNBOOKS.deadLetters(group.map((q) => q.node.id)),
      metric: combined(
        'MAX',
        group.map((q) => q.metricApproximateNumberOfMessagesVisible({ statistic: 'Maximum', period: fiveMinutes })),
        groupName,
        fiveMinutes,
      ),
      threshold: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    }));
  }

  private buildIteratorAge(): Alarm[] {
    const consumers = this.props.survey.streamConsumers;
    return this.grouped(consumers, 'IteratorAge', 'iterator-age', (group, groupName) => ({
      runbook: RUNBOOKS.iteratorAge(group.map((c) => c.consumer.id)),
      metric: combined(
        'MAX',
        group.map((c) => c.function.function.metric('IteratorAge', { statistic: 'Maximum', period: fiveMinutes })),
        groupName,
        fiveMinutes,
      ),
      threshold: Duration.minutes(1).toMilliseconds(),
    }));
  }

  /** Read and write throttle events of up to 5 tables an alarm: two metrics a table. */
  private buildDynamoDbThrottles(): Alarm[] {
    const sum = { statistic: 'Sum', period: fiveMinutes };
    const pairs = this.props.survey.tables.map((t) => ({
      id: t.node.id,
      metrics: [t.metric('ReadThrottleEvents', sum), t.metric('WriteThrottleEvents', sum)],
    }));
    return this.grouped(
      pairs,
      'DynamoDbThrottles',
      'dynamodb-throttles',
      (group, groupName) => ({
        runbook: RUNBOOKS.dynamoDbThrottles(group.map((p) => p.id)),
        metric: combined(
          'SUM',
          group.flatMap((p) => p.metrics),
          groupName,
          fiveMinutes,
        ),
        threshold: 10,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      }),
      5,
    );
  }

  private buildPaymentDeclineSpike(): Alarm {
    const { business } = this.props;
    return this.alarm('PaymentDeclineSpike', 'payment-decline-spike', {
      runbook: RUNBOOKS.paymentDeclineSpike,
      metric: new MathExpression({
        // Division-free, so that a window without orders is 0 rather than no value.
        expression: 'IF(FILL(placed, 0) >= 10 AND FILL(declines, 0) > 0.25 * FILL(placed, 0), 1, 0)',
        usingMetrics: {
          placed: business.metric('ordersPlaced', 'Sum', fifteenMinutes),
          declines: business.metric('paymentDeclines', 'Sum', fifteenMinutes),
        },
        label: 'declines above 25% of orders placed',
        period: fifteenMinutes,
      }),
      threshold: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    });
  }

  private buildNoOrdersConfirmed(): Alarm {
    const { business } = this.props;
    return this.alarm('NoOrdersConfirmed', 'no-orders-confirmed', {
      runbook: RUNBOOKS.noOrdersConfirmed,
      metric: new MathExpression({
        // A confirmation is not emitted at all when none happens: FILL makes that a 0 the alarm can see.
        expression: 'IF(FILL(placed, 0) >= 5 AND FILL(confirmed, 0) == 0, 1, 0)',
        usingMetrics: {
          placed: business.metric('ordersPlaced', 'Sum', fifteenMinutes),
          confirmed: business.metric('ordersConfirmed', 'Sum', fifteenMinutes),
        },
        label: 'orders placed, none confirmed',
        period: fifteenMinutes,
      }),
      threshold: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    });
  }
}
