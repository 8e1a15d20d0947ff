import { httpHandler, json, parse } from '../../shared/http';
import { isTestRequest } from '../../shared/test-data';
import { putEvents } from '../domain/events';
import { liveAnalyticsDeps } from '../deps';
import type { AnalyticsDeps } from '../ports';
import { PutEvents } from '../schemas';

/** POST /v1/events: anonymous or signed in; the batch is validated whole before anything is written. */
export const makeHandler = (deps: AnalyticsDeps) =>
  httpHandler(
    async (event) => {
      const { events } = parse(PutEvents, event.body);
      return json(202, await putEvents(events, deps, { testData: isTestRequest(event) }));
    },
    { body: true },
  );

export const handler = makeHandler(liveAnalyticsDeps());
