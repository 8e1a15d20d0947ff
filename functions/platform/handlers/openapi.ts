import { routeContracts } from '../../api/routes';
import type { RouteContract } from '../../api/contract';
import { httpHandler, json } from '../../shared/http';
import { buildOpenApi } from '../domain/openapi';

export const makeHandler = (routes: RouteContract[]) => {
  // Built once per container: the document only changes with a deployment.
  const document = buildOpenApi(routes);
  return httpHandler(() => Promise.resolve(json(200, document, { 'cache-control': 'public, max-age=300' })));
};

export const handler = makeHandler(routeContracts);
