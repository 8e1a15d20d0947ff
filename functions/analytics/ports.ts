import type { Clock } from '../shared/clients';
import type { ClickEventInput } from './schemas';

/** One clickstream event as written to the stream. */
export type ClickEvent = Omit<ClickEventInput, 'at'> & {
  /** Consumers deduplicate on it: a resent batch must never count twice. */
  eventId: string;
  /** ISO 8601 (UTC): the client's time when it sent one, else receivedAt. */
  at: string;
  receivedAt: string;
};

export interface ClickstreamWriter {
  /**
   * Writes the events, retrying what the stream refused; resolves with those that still failed
   * (none: all written). Rejects when the stream could not be reached at all.
   */
  put(events: readonly ClickEvent[]): Promise<{ failed: ClickEvent[] }>;
}

export interface AnalyticsDeps {
  clickstream: ClickstreamWriter;
  clock: Clock;
}
