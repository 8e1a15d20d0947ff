import type { MiddlewareObj } from '@middy/core';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { BUSINESS_METRICS, METRICS_NAMESPACE } from './business-metrics';
import type { BusinessMetrics } from './metrics';
import { redactSecrets } from './redaction';

const serviceName = process.env.POWERTOOLS_SERVICE_NAME ?? 'ecicomm';

/**
 * One logger and metrics instance per function (the tracer is ./tracing.ts, loaded only where tracing is on); service name from POWERTOOLS_SERVICE_NAME. Every log item
 * is serialized through redactSecrets (./redaction.ts): no password, token, payment token or shopper contact
 * detail reaches a log, at any level, even with POWERTOOLS_LOGGER_LOG_EVENT on.
 */
export const logger = new Logger({ serviceName, jsonReplacerFn: redactSecrets });

/**
 * Business metrics as CloudWatch embedded metric format lines on stdout, dimensioned by `service` and the
 * deployment's `stage` (ECICOMM_STAGE, set by lib/contexts/platform-function.ts; `local` on the local platform).
 * The service is the catalog's for the metric, which the dashboard charts by; in AWS it is also the emitting
 * function's POWERTOOLS_SERVICE_NAME (test/unit/business-metrics.test.ts), but the local platform runs every
 * handler in one process, where this module, and the environment, are shared. One Metrics instance per service,
 * made when first used: by then the environment is the function's, whatever imported this module earlier.
 */
const byService = new Map<string, Metrics>();
const metricsOf = (service: string): Metrics => {
  let metrics = byService.get(service);
  if (!metrics) {
    metrics = new Metrics({
      namespace: METRICS_NAMESPACE,
      serviceName: service,
      defaultDimensions: { stage: process.env.ECICOMM_STAGE ?? 'unknown' },
    });
    byService.set(service, metrics);
  }
  return metrics;
};

/**
 * The catalog's metrics through Powertools. A metric with its own dimension goes out as a single-metric line of
 * its own: a dimension added to the shared instance would split every other metric of the invocation by it too.
 */
export const businessMetrics: BusinessMetrics = {
  record(key, value, dimension) {
    const spec = BUSINESS_METRICS[key];
    const unit = spec.unit === 'Milliseconds' ? MetricUnit.Milliseconds : MetricUnit.Count;
    const metrics = metricsOf(spec.service);
    if ('dimension' in spec) {
      const single = metrics.singleMetric();
      single.addDimension(spec.dimension, dimension ?? 'unknown');
      single.addMetric(spec.name, unit, value);
    } else {
      metrics.addMetric(spec.name, unit, value);
    }
  },
};

/**
 * Publishes the invocation's metrics when it ends, however it ends. Not Powertools' logMetrics middleware: it
 * warns "No application metrics to publish" after every invocation that counted nothing, which is most of them.
 */
export const flushMetrics = <E, R>(): MiddlewareObj<E, R> => {
  const flush = () => {
    for (const metrics of byService.values()) if (metrics.hasStoredMetrics()) metrics.publishStoredMetrics();
  };
  return { after: flush, onError: flush };
};
