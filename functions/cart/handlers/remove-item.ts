import { httpHandler, json, parse } from '../../shared/http';
import { removeItem } from '../domain/cart';
import { liveCartDeps } from '../deps';
import type { CartDeps } from '../ports';
import { CartItemParams } from '../schemas';
import { ownerOfRequest } from './http-common';

export const makeHandler = (deps: CartDeps) =>
  httpHandler(async (event) => {
    const owner = ownerOfRequest(event);
    const { productId } = parse(CartItemParams, event.pathParameters);
    return json(200, await removeItem(owner, productId, deps));
  });

export const handler = makeHandler(liveCartDeps());
