import { livePublisherDeps } from '../deps';
import { userEvents } from '../domain/from-stream';
import { makePublisherHandler } from './publish';

/** The users table's stream → its domain events (functions/events/catalog.ts). */
export const makeHandler = makePublisherHandler(() => (change) => userEvents(change));

export const handler = makeHandler(livePublisherDeps());
