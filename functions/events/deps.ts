import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import * as z from 'zod/mini';
import { parseEnv } from '../shared/env';
import { EventBridgePublisher } from './adapters/eventbridge-publisher';
import type { PublishingRules } from './domain/from-stream';
import type { EventPublisher } from './ports';
import { traced } from '../shared/tracing';

/** The bus (EVENT_BUS_NAME) and the StockLow threshold (STOCK_LOW_THRESHOLD, units, default 5). */
export const EventsEnv = z.object({
  EVENT_BUS_NAME: z.string().check(z.minLength(1)),
  STOCK_LOW_THRESHOLD: z._default(z.coerce.number().check(z.int(), z.minimum(1)), 5),
});

export interface PublisherDeps {
  publisher: EventPublisher;
  rules: PublishingRules;
}

export function livePublisherDeps(): PublisherDeps {
  const env = parseEnv(EventsEnv);
  return {
    publisher: new EventBridgePublisher(traced(new EventBridgeClient({ maxAttempts: 3 })), env.EVENT_BUS_NAME),
    rules: { stockLowThreshold: env.STOCK_LOW_THRESHOLD },
  };
}
