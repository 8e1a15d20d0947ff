import { requireUser } from '../../shared/auth';
import { httpHandler, json, parse } from '../../shared/http';
import { getOrder } from '../domain/orders';
import { readableOrderRepository } from '../deps';
import type { OrdersDeps } from '../ports';
import { OrderIdParams } from '../schemas';

export const makeHandler = (deps: Pick<OrdersDeps, 'orders'>) =>
  httpHandler(async (event) => {
    const caller = requireUser(event);
    const { orderId } = parse(OrderIdParams, event.pathParameters);
    return json(200, await getOrder(caller, orderId, deps));
  });

export const handler = makeHandler({ orders: readableOrderRepository() });
