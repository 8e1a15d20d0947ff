import { BatchWriteCommand, QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { AuditEvent } from '../../shared/audit-event';
import { atIdOf, dayOf, expiryOf } from '../domain/trail';
import type { AuditTrail, PartitionRead } from '../ports';

const INDEX = { resource: 'byResource', user: 'byUser', day: 'byDay' } as const;
const KEY = { resource: 'resourceId', user: 'userId', day: 'day' } as const;
/** BatchWriteItem takes 25 items; unprocessed ones are retried this many times before the batch fails. */
const BATCH = 25;
const WRITE_ATTEMPTS = 5;

/** The recent trail in the audit table (lib/tables.ts): an item per event, keyed by its id, with TTL. */
export class DynamoAuditTrail implements AuditTrail {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async read(request: PartitionRead): Promise<AuditEvent[]> {
    const { partition } = request;
    const out: AuditEvent[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      // One more than needed when the first one may be the previous page's last, which is left out.
      const wanted = request.limit - out.length + (request.excludeHigh ? 1 : 0);
      const page = await this.db.send(
        new QueryCommand({
          TableName: this.tableName,
          IndexName: INDEX[partition.by],
          KeyConditionExpression: '#pk = :pk AND atId BETWEEN :low AND :high',
          ...(request.userId ? { FilterExpression: 'userId = :user' } : {}),
          ExpressionAttributeNames: { '#pk': KEY[partition.by] },
          ExpressionAttributeValues: {
            ':pk': partition.value,
            ':low': request.lowAtId,
            ':high': request.highAtId,
            ...(request.userId ? { ':user': request.userId } : {}),
          },
          ScanIndexForward: false,
          Limit: wanted,
          ExclusiveStartKey: startKey,
        }),
      );
      for (const item of page.Items ?? []) {
        if (request.excludeHigh && item.atId === request.highAtId) continue;
        if (out.length < request.limit) out.push(eventOf(item));
      }
      startKey = page.LastEvaluatedKey;
    } while (startKey && out.length < request.limit);
    return out;
  }

  async record(events: AuditEvent[]): Promise<void> {
    // One item per event id: a redelivered batch writes the same items again.
    const unique = [...new Map(events.map((e) => [e.eventId, e])).values()];
    for (let i = 0; i < unique.length; i += BATCH) await this.writeBatch(unique.slice(i, i + BATCH));
  }

  private async writeBatch(events: AuditEvent[]) {
    let requests = events.map((e) => ({ PutRequest: { Item: itemOf(e) } }));
    for (let attempt = 1; requests.length > 0; attempt++) {
      if (attempt > WRITE_ATTEMPTS) throw new Error(`audit table: ${requests.length} items left unprocessed`);
      const result = await this.db.send(new BatchWriteCommand({ RequestItems: { [this.tableName]: requests } }));
      requests = (result.UnprocessedItems?.[this.tableName] ?? []) as typeof requests;
      if (requests.length) await new Promise((resolve) => setTimeout(resolve, 50 * 2 ** attempt));
    }
  }
}

/**
 * `changes` is kept as its JSON text: a request's fields are whatever a client sent (a rejected request's too), and
 * as a DynamoDB map they could break its rules — numbers beyond its range or precision, empty names — and fail the
 * whole batch.
 */
const itemOf = (e: AuditEvent) => ({
  ...e,
  changes: JSON.stringify(e.changes),
  atId: atIdOf(e),
  day: dayOf(e.at),
  expiresAt: expiryOf(e),
});

function eventOf(item: Record<string, unknown>): AuditEvent {
  return {
    eventId: String(item.eventId),
    at: String(item.at),
    userId: String(item.userId),
    groups: Array.isArray(item.groups) ? item.groups.map(String) : [],
    route: String(item.route),
    ...(typeof item.resourceId === 'string' ? { resourceId: item.resourceId } : {}),
    requestId: String(item.requestId),
    status: Number(item.status),
    changes: typeof item.changes === 'string' ? (JSON.parse(item.changes) as Record<string, unknown>) : {},
  };
}
