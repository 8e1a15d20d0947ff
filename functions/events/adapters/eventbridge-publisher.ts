import { EventBridgeClient, PutEventsCommand, type PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import type { EventPublisher } from '../ports';
import type { DomainEvent } from '../schemas';

/** PutEvents takes at most ten entries a call. */
const ENTRIES_PER_CALL = 10;

/**
 * Domain events to an EventBridge bus with PutEvents, ten a call. PutEvents may take some entries of a call and
 * refuse others (FailedEntryCount): each refused one is reported, and its record retried by the caller.
 */
export class EventBridgePublisher implements EventPublisher {
  constructor(
    private readonly client: EventBridgeClient,
    private readonly busName: string,
  ) {}

  async publish(events: DomainEvent[]) {
    const failed: { event: DomainEvent; reason: string }[] = [];
    for (let start = 0; start < events.length; start += ENTRIES_PER_CALL) {
      const chunk = events.slice(start, start + ENTRIES_PER_CALL);
      const Entries: PutEventsRequestEntry[] = chunk.map((event) => ({
        EventBusName: this.busName,
        Source: event.source,
        DetailType: event.detailType,
        Detail: JSON.stringify(event.detail),
      }));
      try {
        const answer = await this.client.send(new PutEventsCommand({ Entries }));
        answer.Entries?.forEach((entry, i) => {
          if (entry.ErrorCode)
            failed.push({ event: chunk[i], reason: `${entry.ErrorCode}: ${entry.ErrorMessage ?? ''}` });
        });
      } catch (e) {
        chunk.forEach((event) => failed.push({ event, reason: (e as Error).message }));
      }
    }
    return { failed };
  }
}
