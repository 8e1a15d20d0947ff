import { requireUser } from '../../shared/auth';
import { httpHandler, json, parse } from '../../shared/http';
import { cartOwner, mergeCarts } from '../domain/cart';
import { liveCartDeps } from '../deps';
import type { CartDeps } from '../ports';
import { MergeCarts } from '../schemas';

export const makeHandler = (deps: CartDeps) =>
  httpHandler(
    async (event) => {
      const caller = requireUser(event);
      const { sessionId } = parse(MergeCarts, event.body);
      return json(200, await mergeCarts(cartOwner(caller, undefined), sessionId, deps));
    },
    { body: true },
  );

export const handler = makeHandler(liveCartDeps());
