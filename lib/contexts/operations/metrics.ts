import type { Duration } from 'aws-cdk-lib';
import { MathExpression, Metric, type IMetric } from 'aws-cdk-lib/aws-cloudwatch';
import type { Method } from 'aws-cdk-lib/aws-apigateway';
import {
  BUSINESS_METRICS,
  METRICS_NAMESPACE,
  type BusinessMetric,
  type BusinessMetricKey,
} from '../../../functions/shared/business-metrics';

/**
 * CloudWatch allows an alarm at most 10 metrics in its math: stage-wide sums and maxima over more resources than
 * that are alarmed in groups of this size.
 */
export const ALARM_METRICS_LIMIT = 10;

export const chunk = <T>(items: readonly T[], size = ALARM_METRICS_LIMIT): T[][] =>
  Array.from({ length: Math.ceil(items.length / size) }, (_, i) => items.slice(i * size, (i + 1) * size));

/** `SUM([m0, m1, …])` or `MAX([…])` over at most 10 metrics: one time series, the points of missing ones skipped. */
export function combined(fn: 'SUM' | 'MAX', metrics: readonly IMetric[], label: string, period: Duration) {
  if (metrics.length > ALARM_METRICS_LIMIT) throw new Error(`${label}: ${metrics.length} metrics, an alarm takes 10`);
  const usingMetrics = Object.fromEntries(metrics.map((m, i) => [`m${i}`, m]));
  return new MathExpression({
    expression: `${fn}([${Object.keys(usingMetrics).join(', ')}])`,
    usingMetrics,
    label,
    period,
  });
}

/** The API's metrics for one stage; the per-route ones exist because the stage has detailed metrics on. */
export class ApiMetrics {
  constructor(
    private readonly apiName: string,
    private readonly stage: string,
  ) {}

  /** Stage-wide: `5XXError`, `4XXError`, `Count`, `Latency` over every method. */
  stageWide(metricName: string, statistic: string, period: Duration): Metric {
    return new Metric({
      namespace: 'AWS/ApiGateway',
      metricName,
      dimensionsMap: { ApiName: this.apiName, Stage: this.stage },
      statistic,
      period,
    });
  }

  /** One route's metric: API Gateway names it by method and resource path. */
  route(method: Method, metricName: string, statistic: string, period: Duration): Metric {
    return new Metric({
      namespace: 'AWS/ApiGateway',
      metricName,
      dimensionsMap: {
        ApiName: this.apiName,
        Stage: this.stage,
        Method: method.httpMethod,
        Resource: method.resource.path,
      },
      statistic,
      period,
      label: `${method.httpMethod} ${method.resource.path}`,
    });
  }
}

/**
 * The business metrics of functions/shared/business-metrics.ts as the functions emit them: namespace ECIComm,
 * dimensions `service` and `stage` (the functions' ECICOMM_STAGE, which is the stage's namePrefix).
 */
export class BusinessMetrics {
  constructor(private readonly stage: string) {}

  /** A metric without a dimension of its own, as one series. */
  metric(key: BusinessMetricKey, statistic: string, period: Duration): Metric {
    const spec: BusinessMetric = BUSINESS_METRICS[key];
    if (spec.dimension) throw new Error(`${spec.name} is split by ${spec.dimension}: chart it with split()`);
    return new Metric({
      namespace: METRICS_NAMESPACE,
      metricName: spec.name,
      dimensionsMap: { service: spec.service, stage: this.stage },
      statistic,
      period,
      label: spec.name,
    });
  }

  /**
   * A metric split by its own dimension (cancellations by failureReason, fallbacks by reason): one series per value,
   * whichever values occur, through a SEARCH expression over that exact dimension set.
   */
  split(key: BusinessMetricKey, statistic: string, period: Duration): MathExpression {
    const spec: BusinessMetric = BUSINESS_METRICS[key];
    if (!spec.dimension) throw new Error(`${spec.name} has no dimension of its own: chart it with metric()`);
    const schema = `{${METRICS_NAMESPACE},${spec.dimension},service,stage}`;
    const terms = `MetricName="${spec.name}" service="${spec.service}" stage="${this.stage}"`;
    return new MathExpression({
      expression: `SEARCH('${schema} ${terms}', '${statistic}', ${period.toSeconds()})`,
      usingMetrics: {},
      label: '',
      period,
    });
  }
}
