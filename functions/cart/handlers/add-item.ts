import { httpHandler, json, parse } from '../../shared/http';
import { addItem } from '../domain/cart';
import { liveCartDeps } from '../deps';
import type { CartDeps } from '../ports';
import { AddItem } from '../schemas';
import { ownerOfRequest } from './http-common';

export const makeHandler = (deps: CartDeps) =>
  httpHandler(
    async (event) => {
      const owner = ownerOfRequest(event);
      const item = parse(AddItem, event.body);
      return json(200, await addItem(owner, item, deps));
    },
    { body: true },
  );

export const handler = makeHandler(liveCartDeps());
