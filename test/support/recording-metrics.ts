import type { BusinessMetricKey } from '../../functions/shared/business-metrics';
import type { BusinessMetrics } from '../../functions/shared/metrics';

export interface RecordedMetric {
  metric: BusinessMetricKey;
  value: number;
  dimension?: string;
}

/** A BusinessMetrics port that keeps what it was told, for tests that check what a step counts. */
export function recordingMetrics(): BusinessMetrics & { recorded: RecordedMetric[] } {
  const recorded: RecordedMetric[] = [];
  return {
    recorded,
    record: (metric, value, dimension) => void recorded.push({ metric, value, ...(dimension ? { dimension } : {}) }),
  };
}
