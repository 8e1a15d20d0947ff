import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import * as z from 'zod/mini';
import type { InventorySnapshotRow } from '../domain/load';
import { isTestData } from '../../shared/test-data';
import { MalformedRecordError } from './orders-stream-records';

/**
 * What an inventory-table stream record means to the warehouse: each INSERT or MODIFY is a snapshot of the
 * product's stock levels at the time of the change; a REMOVE loads nothing (no API deletes stock; the last
 * snapshot stays the product's history), nor does a stock level marked as test data (functions/shared/test-data.ts).
 * Pure, like the orders mapping.
 *
 * The snapshot's event id is `productId#<sequence number, zero-padded to 40 digits>`: the same for a
 * redelivered record (so it loads once), and ordered like the changes themselves. That order matters:
 * ApproximateCreationDateTime has one-second resolution, so several changes of a busy product share a
 * snapshot_ts, and inventory_turnover_metrics breaks that tie on event_id to find the latest level — a random
 * id such as the record's eventID would pick an arbitrary one.
 */

/** The stored item (functions/inventory): `{productId, available, reserved, sold?}`; other attributes are ignored. */
const StockImage = z.object({
  productId: z.string().check(z.minLength(1), z.maxLength(64)),
  available: z.int().check(z.nonnegative()),
  // Every writer sets it; the inventory adapter reads a missing one as 0, and so does the warehouse.
  reserved: z.optional(z.int().check(z.nonnegative())),
});

/** DynamoDB sequence numbers are decimal strings of up to 40 digits. */
const SEQUENCE_DIGITS = 40;

export function inventorySnapshotFromStreamRecord(record: DynamoDBRecord): InventorySnapshotRow[] {
  const where = `Stream record ${record.eventID ?? '?'}`;
  if (record.eventName === 'REMOVE') return [];
  if (record.eventName !== 'INSERT' && record.eventName !== 'MODIFY')
    throw new MalformedRecordError(`${where}: unknown eventName ${String(record.eventName)}`);
  const d = record.dynamodb;
  const sequence = d?.SequenceNumber;
  if (!sequence || !/^\d{1,40}$/.test(sequence)) throw new MalformedRecordError(`${where}: no decimal SequenceNumber`);
  const seconds = d.ApproximateCreationDateTime;
  if (typeof seconds !== 'number' || !Number.isFinite(seconds) || seconds <= 0)
    throw new MalformedRecordError(`${where}: no ApproximateCreationDateTime`);
  if (d.NewImage === undefined)
    throw new MalformedRecordError(`${where}: no NewImage (stream view type must include new images)`);
  let item: Record<string, unknown>;
  try {
    item = unmarshall(d.NewImage as Record<string, AttributeValue>);
  } catch (cause) {
    throw new MalformedRecordError(`${where}: NewImage cannot be unmarshalled`, { cause });
  }
  if (isTestData(item)) return [];
  const parsed = StockImage.safeParse(item);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
    throw new MalformedRecordError(`${where}: NewImage is not a stock level (${issues})`);
  }
  const { productId, available, reserved = 0 } = parsed.data;
  return [
    {
      eventId: `${productId}#${sequence.padStart(SEQUENCE_DIGITS, '0')}`,
      productId,
      available,
      reserved,
      snapshotTs: new Date(seconds * 1000).toISOString(),
    },
  ];
}
