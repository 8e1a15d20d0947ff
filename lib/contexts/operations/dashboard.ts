import { Duration } from 'aws-cdk-lib';
import type { Method } from 'aws-cdk-lib/aws-apigateway';
import {
  AlarmStatusWidget,
  Dashboard,
  GraphWidget,
  TextWidget,
  type IAlarm,
  type IMetric,
  type IWidget,
} from 'aws-cdk-lib/aws-cloudwatch';
import type { IStateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import type { Construct } from 'constructs';
import { BUSINESS_METRICS, type BusinessMetricKey } from '../../../functions/shared/business-metrics';
import type { PlatformFunction } from '../platform-function';
import { chunk, type ApiMetrics, type BusinessMetrics } from './metrics';
import type { StageSurvey } from './survey';

export interface DashboardInputs {
  readonly dashboardName: string;
  readonly api: ApiMetrics;
  /** The API's methods by route id. */
  readonly methods: ReadonlyMap<string, Method>;
  readonly saga: IStateMachine;
  readonly business: BusinessMetrics;
  readonly survey: StageSurvey;
  readonly alarms: readonly IAlarm[];
}

const period = Duration.minutes(5);
const FULL = 24;
const THIRD = 8;

const heading = (markdown: string): IWidget[] => [new TextWidget({ markdown, width: FULL, height: 1 })];
const graph = (title: string, left: IMetric[], width = THIRD) =>
  new GraphWidget({ title, left, width, height: 6, period });

/** The stage's one dashboard, top to bottom: alarms, API, functions, saga, queues and streams, tables, business. */
export function buildDashboard(scope: Construct, inputs: DashboardInputs): Dashboard {
  const dashboard = new Dashboard(scope, 'Dashboard', { dashboardName: inputs.dashboardName });
  const rows: IWidget[][] = [
    [new AlarmStatusWidget({ title: 'Alarms', alarms: [...inputs.alarms], width: FULL, height: 4 })],
    heading('## API (by route: method and resource)'),
    apiRow(inputs),
    heading('## Lambda functions (by bounded context)'),
    ...functionRows(inputs.survey.functions),
    heading('## Checkout saga (Step Functions)'),
    sagaRow(inputs.saga),
    heading('## Dead-letter queues, stream consumers, tables'),
    ...backlogRows(inputs.survey),
    heading('## Business metrics (namespace ECIComm)'),
    ...businessRows(inputs.business),
  ];
  for (const row of rows) dashboard.addWidgets(...row);
  return dashboard;
}

function apiRow({ api, methods }: DashboardInputs): IWidget[] {
  const byRoute = (metricName: string, statistic: string) =>
    [...methods.values()].map((m) => api.route(m, metricName, statistic, period));
  return [
    graph('API 5xx by route (count)', byRoute('5XXError', 'Sum')),
    graph('API 4xx by route (count)', byRoute('4XXError', 'Sum')),
    graph('API p99 latency by route (ms)', byRoute('Latency', 'p99')),
  ];
}

/** Errors, throttles and p99 duration of every function, a row per bounded context so each graph stays legible. */
function functionRows(functions: readonly PlatformFunction[]): IWidget[][] {
  const byContext = new Map<string, PlatformFunction[]>();
  for (const fn of functions) {
    const context = fn.definition.context;
    byContext.set(context, [...(byContext.get(context) ?? []), fn]);
  }
  return [...byContext.entries()].map(([context, fns]) => {
    const each = (metric: (fn: PlatformFunction) => IMetric) => fns.map(metric);
    const label = (fn: PlatformFunction) => ({ label: fn.definition.id, period });
    return [
      graph(
        `${context}: errors`,
        each((fn) => fn.function.metricErrors({ ...label(fn), statistic: 'Sum' })),
      ),
      graph(
        `${context}: throttles`,
        each((fn) => fn.function.metricThrottles({ ...label(fn), statistic: 'Sum' })),
      ),
      graph(
        `${context}: duration p99 (ms)`,
        each((fn) => fn.function.metricDuration({ ...label(fn), statistic: 'p99' })),
      ),
    ];
  });
}

function sagaRow(saga: IStateMachine): IWidget[] {
  const sum = { statistic: 'Sum', period };
  return [
    graph(
      'Saga executions',
      [
        saga.metricStarted({ ...sum, label: 'started' }),
        saga.metricSucceeded({ ...sum, label: 'succeeded' }),
        saga.metricFailed({ ...sum, label: 'failed' }),
        saga.metricTimedOut({ ...sum, label: 'timed out' }),
        saga.metricAborted({ ...sum, label: 'aborted' }),
      ],
      12,
    ),
    graph(
      'Saga execution duration (ms)',
      [
        saga.metricTime({ statistic: 'p50', period, label: 'p50' }),
        saga.metricTime({ statistic: 'p99', period, label: 'p99' }),
      ],
      12,
    ),
  ];
}

/**
 * Dead letters arriving (messages sent to a dead-letter or on-failure queue: no function sees them arrive, so SQS's
 * own count is the metric) and waiting; how far behind each stream consumer is; each table's throttles.
 */
function backlogRows({ deadLetterQueues, streamConsumers, tables }: StageSurvey): IWidget[][] {
  const max = { statistic: 'Maximum', period };
  const throttles = (metricName: string) =>
    tables.map((t) => t.metric(metricName, { statistic: 'Sum', period, label: t.node.id }));
  return [
    [
      graph(
        'Dead-letter arrivals (messages sent)',
        deadLetterQueues.map((q) => q.metricNumberOfMessagesSent({ statistic: 'Sum', period, label: q.node.id })),
      ),
      graph(
        'Dead-letter queue depth (messages visible)',
        deadLetterQueues.map((q) => q.metricApproximateNumberOfMessagesVisible({ ...max, label: q.node.id })),
      ),
      graph(
        'Stream iterator age (ms)',
        streamConsumers.map((c) => c.function.function.metric('IteratorAge', { ...max, label: c.consumer.id })),
      ),
    ],
    [
      graph('DynamoDB read throttle events', throttles('ReadThrottleEvents'), 12),
      graph('DynamoDB write throttle events', throttles('WriteThrottleEvents'), 12),
    ],
  ];
}

/** One graph per entry of the catalog: a chart for every metric the functions emit, and for no other. */
function businessRows(business: BusinessMetrics): IWidget[][] {
  const widgets = (Object.keys(BUSINESS_METRICS) as BusinessMetricKey[]).map((key) => {
    const spec = BUSINESS_METRICS[key];
    const title = `${spec.name}: ${spec.description}`;
    if ('dimension' in spec) return graph(title, [business.split(key, 'Sum', period)]);
    if (spec.unit === 'Milliseconds')
      return graph(title, [
        business.metric(key, 'p50', period).with({ label: 'p50' }),
        business.metric(key, 'p99', period).with({ label: 'p99' }),
      ]);
    return graph(title, [business.metric(key, 'Sum', period)]);
  });
  return chunk(widgets, 3);
}
