import { requireGroup } from '../../shared/auth';
import { httpHandler, json, parse } from '../../shared/http';
import { getStock } from '../domain/stock';
import { liveInventoryDeps } from '../deps';
import type { InventoryDeps } from '../ports';
import { InventoryParams } from '../schemas';

export const makeHandler = (deps: InventoryDeps) =>
  httpHandler(async (event) => {
    requireGroup(event, 'admin');
    const { productId } = parse(InventoryParams, event.pathParameters);
    return json(200, await getStock(productId, deps));
  });

export const handler = makeHandler(liveInventoryDeps());
