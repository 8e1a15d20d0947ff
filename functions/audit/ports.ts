import type { AuditEvent } from '../shared/audit-event';
import type { Clock } from '../shared/clock';

/** Which partition of the recent trail to read: one resource's, one user's, or one UTC day's events. */
export type TrailPartition = { by: 'resource' | 'user' | 'day'; value: string };

export interface PartitionRead {
  partition: TrailPartition;
  /** Inclusive bounds on `atId` (`<ISO time>#<event id>`), read from the high end down. */
  lowAtId: string;
  highAtId: string;
  /** Leave out the event at `highAtId` itself (the last one of the previous page). */
  excludeHigh: boolean;
  /** Only this user's events (a resource's trail filtered by user). */
  userId?: string;
  limit: number;
}

/** The queryable recent trail (the audit table). */
export interface AuditTrail {
  /** Up to `limit` events of the partition within the bounds, newest first. */
  read(request: PartitionRead): Promise<AuditEvent[]>;
  /** Idempotent: an event already recorded (same eventId) is overwritten with itself. */
  record(events: AuditEvent[]): Promise<void>;
}

export interface AuditDeps {
  trail: AuditTrail;
  clock: Clock;
}
