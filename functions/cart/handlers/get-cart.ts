import { httpHandler, json, parse, query } from '../../shared/http';
import { viewCart } from '../domain/cart';
import { liveCartDeps } from '../deps';
import type { CartDeps } from '../ports';
import { CartQuery } from '../schemas';
import { ownerOfRequest } from './http-common';

export const makeHandler = (deps: CartDeps) =>
  httpHandler(async (event) => {
    const { country } = parse(CartQuery, query(event));
    return json(200, await viewCart(ownerOfRequest(event), deps, country));
  });

export const handler = makeHandler(liveCartDeps());
