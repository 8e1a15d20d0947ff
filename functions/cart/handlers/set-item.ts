import { httpHandler, json, parse } from '../../shared/http';
import { setQuantity } from '../domain/cart';
import { liveCartDeps } from '../deps';
import type { CartDeps } from '../ports';
import { CartItemParams, SetQuantity } from '../schemas';
import { ownerOfRequest } from './http-common';

export const makeHandler = (deps: CartDeps) =>
  httpHandler(
    async (event) => {
      const owner = ownerOfRequest(event);
      const { productId } = parse(CartItemParams, event.pathParameters);
      const { quantity } = parse(SetQuantity, event.body);
      return json(200, await setQuantity(owner, productId, quantity, deps));
    },
    { body: true },
  );

export const handler = makeHandler(liveCartDeps());
