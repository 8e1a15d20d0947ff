import * as z from 'zod/mini';
import { kinesisClient, systemClock } from '../shared/clients';
import { parseEnv } from '../shared/env';
import { KinesisClickstream } from './adapters/kinesis-clickstream';
import type { AnalyticsDeps } from './ports';

export const clickstreamWriter = () =>
  new KinesisClickstream(kinesisClient(), parseEnv(z.object({ CLICKSTREAM_STREAM: z.string().check(z.minLength(1)) })).CLICKSTREAM_STREAM);

export function liveAnalyticsDeps(): AnalyticsDeps {
  return { clickstream: clickstreamWriter(), clock: systemClock };
}
