import { requireGroup } from '../../shared/auth';
import { httpHandler, json, parse } from '../../shared/http';
import { setStock } from '../domain/stock';
import { liveInventoryDeps } from '../deps';
import type { InventoryDeps } from '../ports';
import { InventoryParams, SetStock } from '../schemas';

export const makeHandler = (deps: InventoryDeps) =>
  httpHandler(
    async (event) => {
      requireGroup(event, 'admin');
      const { productId } = parse(InventoryParams, event.pathParameters);
      const input = parse(SetStock, event.body);
      return json(200, await setStock(productId, input, deps));
    },
    { body: true },
  );

export const handler = makeHandler(liveInventoryDeps());
