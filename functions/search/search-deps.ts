import * as z from 'zod/mini';
import { KinesisClickstream } from '../analytics/adapters/kinesis-clickstream';
import { kinesisClient } from '../shared/kinesis-client';
import { systemClock } from '../shared/clock';
import { parseEnv } from '../shared/env';
import { logger } from '../shared/observability';
import { ClickstreamSearchEvents } from './adapters/clickstream-search-events';
import { productSearch } from './deps';
import type { SearchDeps } from './ports';

/** GET /v1/search: the index, and the clickstream its `search` events go to (the writer alone, not analytics' deps). */
export function liveSearchDeps(): SearchDeps {
  const { CLICKSTREAM_STREAM } = parseEnv(z.object({ CLICKSTREAM_STREAM: z.string().check(z.minLength(1)) }));
  return {
    products: productSearch(),
    // One attempt: a search does not wait on the clickstream (domain/search.ts), so retries would only come too late.
    events: new ClickstreamSearchEvents(
      new KinesisClickstream(kinesisClient(), CLICKSTREAM_STREAM, { maxAttempts: 1 }),
      systemClock,
    ),
    log: { warn: (message, details) => logger.warn(message, details) },
  };
}
