import { livePublisherDeps } from '../deps';
import { orderEvents } from '../domain/from-stream';
import { makePublisherHandler } from './publish';

/** The orders table's stream → its domain events (functions/events/catalog.ts). */
export const makeHandler = makePublisherHandler(() => (change) => orderEvents(change));

export const handler = makeHandler(livePublisherDeps());
