import * as z from 'zod/mini';
import { kinesisClient } from '../shared/kinesis-client';
import { systemClock } from '../shared/clock';
import { parseEnv } from '../shared/env';
import { logger } from '../shared/observability';
import { KinesisClickstream } from './adapters/kinesis-clickstream';
import type { AnalyticsDeps } from './ports';

/**
 * POST /v1/events: the clickstream's writer. In a module of its own, apart from ./deps.ts, so that the functions that
 * only read the warehouse do not load the Kinesis client at their cold start.
 */
export function liveAnalyticsDeps(): AnalyticsDeps {
  const { CLICKSTREAM_STREAM } = parseEnv(z.object({ CLICKSTREAM_STREAM: z.string().check(z.minLength(1)) }));
  return { clickstream: new KinesisClickstream(kinesisClient(), CLICKSTREAM_STREAM), clock: systemClock, log: logger };
}
