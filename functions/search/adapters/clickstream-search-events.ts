import { randomUUID } from 'node:crypto';
import type { ClickstreamWriter } from '../../analytics/ports';
import type { Clock } from '../../shared/clock';
import type { SearchEvents, SearchSignal } from '../ports';

/**
 * Search signals as `search` events on the analytics clickstream, through its writer (the same Kinesis stream
 * and record shape POST /v1/events writes): the query, how many products it found, the shopper's session when
 * the request named one (else one made up for the request, since every event belongs to a session).
 */
export class ClickstreamSearchEvents implements SearchEvents {
  constructor(
    private readonly clickstream: ClickstreamWriter,
    private readonly clock: Clock,
    private readonly newId: () => string = randomUUID,
  ) {}

  async searched(signal: SearchSignal): Promise<void> {
    const at = this.clock.now().toISOString();
    const { failed } = await this.clickstream.put([
      {
        type: 'search',
        sessionId: signal.sessionId ?? this.newId(),
        query: signal.query,
        results: signal.results,
        eventId: this.newId(),
        at,
        receivedAt: at,
      },
    ]);
    if (failed.length) throw new Error('The clickstream refused the search event');
  }
}
