import { httpHandler, json, parse } from '../../shared/http';
import type { BusinessMetrics } from '../../shared/metrics';
import { businessMetrics } from '../../shared/observability';
import { isTestRequest } from '../../shared/test-data';
import { putEvents } from '../domain/events';
import { liveAnalyticsDeps } from '../events-deps';
import type { AnalyticsDeps } from '../ports';
import { PutEvents } from '../schemas';

/** POST /v1/events: anonymous or signed in; the batch is validated whole before anything is written. */
export const makeHandler = (deps: AnalyticsDeps, metrics: BusinessMetrics = businessMetrics) =>
  httpHandler(
    async (event) => {
      const { events } = parse(PutEvents, event.body);
      const result = await putEvents(events, deps, { testData: isTestRequest(event) });
      metrics.record('eventsAccepted', result.accepted);
      return json(202, result);
    },
    // Not audited: clickstream telemetry changes no state of the platform (no catalog, order, account or stock),
    // and is itself a stream of what shoppers did, kept by analytics.
    { body: true, audit: false },
  );

export const handler = makeHandler(liveAnalyticsDeps());
