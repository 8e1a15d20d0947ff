import { requireGroup } from '../../shared/auth';
import { httpHandler, json } from '../../shared/http';
import { listSegments } from '../domain/segments';
import { liveModelDeps } from '../model-deps';
import type { ModelQueryDeps } from '../ports';

/** GET /v1/analytics/segments: analysts and admins. */
export const makeHandler = (deps: Pick<ModelQueryDeps, 'model' | 'log'>) =>
  httpHandler(async (event) => {
    requireGroup(event, 'analyst', 'admin');
    return json(200, await listSegments(deps), { 'cache-control': 'private, no-store' });
  });

export const handler = makeHandler(liveModelDeps());
