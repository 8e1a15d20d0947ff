import { callerOf } from '../../shared/auth';
import type { ApiEvent } from '../../shared/http';
import { parse } from '../../shared/http';
import { cartOwner } from '../domain/cart';
import { SessionId } from '../schemas';

/** The cart a request addresses: the signed-in user's, or else the one of its x-session-id. */
export function ownerOfRequest(event: ApiEvent): string {
  const header = event.headers?.['x-session-id'];
  const sessionId = header === undefined ? undefined : parse(SessionId, header);
  return cartOwner(callerOf(event), sessionId);
}
