import { callerOf } from '../../shared/auth';
import type { ApiEvent } from '../../shared/http';
import { header } from '../../shared/http';
import { cartOwner } from '../domain/cart';
import { SessionId } from '../schemas';

/** The cart a request addresses: the signed-in user's, or else the one of its x-session-id. */
export function ownerOfRequest(event: ApiEvent): string {
  const sessionId =
    event.headers?.['x-session-id'] === undefined ? undefined : header(event, 'x-session-id', SessionId);
  return cartOwner(callerOf(event), sessionId);
}
