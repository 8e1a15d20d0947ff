/**
 * Every stream consumer of the platform, as data: the analytics context's loaders (lib/analytics.ts), the
 * search context's indexer (lib/search.ts) and the domain events' publishers (lib/events.ts). Listed together for what treats them alike — the local event source
 * mappings (lib/local/analytics.ts), the local Lambda Invoke API, the redrive command (bin/redrive.ts, lib/ops/),
 * and which consumer a replayed stream event belongs to; in AWS each context's construct builds its own.
 */
import { analyticsConsumers } from './analytics';
import { auditConsumers } from './audit';
import { eventPublishers } from './events';
import { searchConsumers } from './search';
import type { StreamConsumer } from './stream-consumer-spec';

export {
  consumerPhysicalNames,
  STREAM_DELIVERY,
  type ConsumerSource,
  type StreamConsumer,
} from './stream-consumer-spec';

export const streamConsumers: StreamConsumer[] = [
  ...analyticsConsumers,
  ...searchConsumers,
  ...auditConsumers,
  ...eventPublishers,
];
