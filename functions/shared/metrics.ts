import type { BusinessMetricKey } from './business-metrics';

/**
 * What domain code and handlers are handed to count business events with: a metric of the catalog
 * (./business-metrics.ts) by its key, so a name, unit or dimension can never drift from what the dashboard charts.
 * The functions get the Powertools adapter (./observability.ts `businessMetrics`); tests pass their own.
 */
export interface BusinessMetrics {
  /** Adds `value` (a count, or milliseconds for a duration) to a metric; `dimension` is the value of its own dimension. */
  record(metric: BusinessMetricKey, value: number, dimension?: string): void;
}
