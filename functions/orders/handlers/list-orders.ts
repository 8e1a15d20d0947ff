import { requireUser } from '../../shared/auth';
import { httpHandler, json, parse, query } from '../../shared/http';
import { listOrders } from '../domain/orders';
import { readableOrderRepository } from '../deps';
import type { OrdersDeps } from '../ports';
import { ListOrdersQuery } from '../schemas';

export const makeHandler = (deps: Pick<OrdersDeps, 'orders'>) =>
  httpHandler(async (event) => {
    const caller = requireUser(event);
    const input = parse(ListOrdersQuery, query(event));
    return json(200, await listOrders(caller, input, deps));
  });

export const handler = makeHandler({ orders: readableOrderRepository() });
