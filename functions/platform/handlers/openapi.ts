import { routeContracts } from '../../api/routes';
import { httpHandler, json } from '../../shared/http';
import { buildOpenApi } from '../domain/openapi';

// Built once per container: the document only changes with a deployment.
const document = buildOpenApi(routeContracts, { title: 'ECIComm API', version: '1.0.0' });

export const handler = httpHandler(async () => json(200, document, { 'cache-control': 'public, max-age=300' }));
