import { requireGroup } from '../../shared/auth';
import { httpHandler, json, parse, query } from '../../shared/http';
import { segmentCustomers } from '../domain/segments';
import { liveModelDeps } from '../model-deps';
import { SegmentCustomersQuery, SegmentParams } from '../model-schemas';
import type { ModelQueryDeps } from '../ports';

/** GET /v1/analytics/segments/{segment}/customers: analysts and admins; the campaign export. */
export const makeHandler = (deps: Pick<ModelQueryDeps, 'model' | 'log'>) =>
  httpHandler(async (event) => {
    requireGroup(event, 'analyst', 'admin');
    const { segment } = parse(SegmentParams, event.pathParameters ?? {});
    const input = parse(SegmentCustomersQuery, query(event));
    return json(200, await segmentCustomers(segment, input, deps), { 'cache-control': 'private, no-store' });
  });

export const handler = makeHandler(liveModelDeps());
