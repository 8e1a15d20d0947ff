import { livePublisherDeps } from '../deps';
import { productEvents } from '../domain/from-stream';
import { makePublisherHandler } from './publish';

/** The products table's stream → its domain events (functions/events/catalog.ts). */
export const makeHandler = makePublisherHandler(() => (change) => productEvents(change));

export const handler = makeHandler(livePublisherDeps());
