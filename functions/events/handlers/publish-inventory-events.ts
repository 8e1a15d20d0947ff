import { livePublisherDeps } from '../deps';
import { inventoryEvents } from '../domain/from-stream';
import { makePublisherHandler } from './publish';

/** The inventory table's stream → its domain events (functions/events/catalog.ts). */
export const makeHandler = makePublisherHandler((rules) => (change, at) => inventoryEvents(change, rules, at));

export const handler = makeHandler(livePublisherDeps());
