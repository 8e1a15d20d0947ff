import type { DomainEvent } from './schemas';

/** Where domain events go: the event bus. Resolves with the events it could not take (none when all went). */
export interface EventPublisher {
  publish(events: DomainEvent[]): Promise<{ failed: { event: DomainEvent; reason: string }[] }>;
}
