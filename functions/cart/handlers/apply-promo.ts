import { httpHandler, json, parse } from '../../shared/http';
import { applyPromo } from '../domain/cart';
import { liveCartDeps } from '../deps';
import type { CartDeps } from '../ports';
import { ApplyPromo } from '../schemas';
import { ownerOfRequest } from './http-common';

export const makeHandler = (deps: CartDeps) =>
  httpHandler(
    async (event) => {
      const owner = ownerOfRequest(event);
      const { code } = parse(ApplyPromo, event.body);
      return json(200, await applyPromo(owner, code, deps));
    },
    { body: true },
  );

export const handler = makeHandler(liveCartDeps());
