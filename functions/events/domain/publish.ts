/**
 * A batch of a table's stream records → its domain events on the bus. A record whose events the bus did not all
 * take is reported failed, so the event source mapping retries it (and bisects the batch to find it): a retried
 * record publishes its events again, so consumers see an event at least once and dedupe on its identity
 * (`detail-type` with the resource id and version or status), as EventBridge's own delivery requires anyway.
 */
import type { EventPublisher } from '../ports';
import type { DomainEvent } from '../schemas';
import type { TableChange } from './from-stream';

export interface StreamChange<R> {
  record: R;
  change: TableChange;
  /** When the change was written (the record's approximate creation time), ISO. */
  at: string;
}

export type EventsOf = (change: TableChange, at: string) => DomainEvent[];

export async function publishChanges<R>(
  changes: StreamChange<R>[],
  eventsOf: EventsOf,
  publisher: EventPublisher,
): Promise<{ failures: Map<R, Error>; unmappable: Map<R, Error>; published: number }> {
  const failures = new Map<R, Error>();
  const unmappable = new Map<R, Error>();
  const owners = new Map<DomainEvent, R>();
  for (const { record, change, at } of changes) {
    try {
      for (const event of eventsOf(change, at)) owners.set(event, record);
    } catch (e) {
      // An item that is not what its table holds (a hand-written fixture, a bug) would fail on every retry: it is
      // reported and skipped, as the analytics loaders skip what they cannot map, and never blocks its shard.
      unmappable.set(record, e as Error);
    }
  }
  const { failed } = await publisher.publish([...owners.keys()]);
  for (const { event, reason } of failed)
    failures.set(owners.get(event)!, new Error(`${event.detailType} not published: ${reason}`));
  return { failures, unmappable, published: owners.size - failed.length };
}
