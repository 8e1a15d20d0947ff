/**
 * The one batch response of the stream consumers that handle a batch whole (functions/shared/batch-response.ts):
 * the failed records reported by the identifier the event source mapping checkpoints on, a batch that failed
 * whole thrown (retried, bisected) unless the consumer says otherwise — as the audit recorder does, whose
 * malformed records no retry can mend.
 */
import { beforeAll, describe, expect, it } from '@jest/globals';
import { FullBatchFailureError } from '@aws-lambda-powertools/batch';
import type { DynamoDBRecord, KinesisStreamRecord } from 'aws-lambda';
import type { AuditTrail } from '../../functions/audit/ports';
import type { AuditEvent } from '../../functions/shared/audit-event';
import { batchResponse, EventType } from '../../functions/shared/batch-response';

// The handler module builds its live dependencies when loaded (nothing is contacted): it needs an environment.
let makeAuditRecorder: (typeof import('../../functions/audit/handlers/record-audit'))['makeHandler'];
beforeAll(async () => {
  Object.assign(process.env, { AUDIT_TABLE: 'unit-audit', AWS_REGION: process.env.AWS_REGION ?? 'eu-west-2' });
  ({ makeHandler: makeAuditRecorder } = await import('../../functions/audit/handlers/record-audit'));
});

const kinesisRecord = (sequenceNumber: string, data: unknown): KinesisStreamRecord =>
  ({
    eventSource: 'aws:kinesis',
    eventID: `shardId-000000000000:${sequenceNumber}`,
    kinesis: {
      sequenceNumber,
      partitionKey: 'p',
      data: Buffer.from(typeof data === 'string' ? data : JSON.stringify(data)).toString('base64'),
    },
  }) as KinesisStreamRecord;

const streamRecord = (sequenceNumber: string): DynamoDBRecord => ({
  eventID: sequenceNumber,
  eventName: 'MODIFY',
  eventSource: 'aws:dynamodb',
  dynamodb: { SequenceNumber: sequenceNumber },
});

const auditEvent = (eventId: string): AuditEvent => ({
  eventId,
  at: '2026-12-07T09:00:00.000Z',
  userId: 'admin-sub',
  groups: ['admin'],
  route: 'PUT /v1/products/{id}',
  resourceId: 'p-1',
  requestId: 'req-1',
  status: 200,
  changes: { price: 1 },
});

describe('batchResponse', () => {
  it('reports the failed records of a DynamoDB stream batch by sequence number, in order', async () => {
    const records = ['1', '2', '3', '4'].map(streamRecord);
    const failed = new Map([
      [records[3], new Error('four')],
      [records[1], new Error('two')],
    ]);
    const response = await batchResponse({ Records: records }, (r) => failed.get(r), {
      eventType: EventType.DynamoDBStreams,
    });
    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: '2' }, { itemIdentifier: '4' }] });
  });

  it('throws when every record failed, so the mapping retries the batch; or reports them all when told not to', async () => {
    const records = ['1', '2'].map((n) => kinesisRecord(n, 'x'));
    const failing = () => new Error('bad');
    await expect(
      batchResponse({ Records: records }, failing, { eventType: EventType.KinesisDataStreams }),
    ).rejects.toBeInstanceOf(FullBatchFailureError);
    await expect(
      batchResponse({ Records: records }, failing, {
        eventType: EventType.KinesisDataStreams,
        throwOnFullBatchFailure: false,
      }),
    ).resolves.toEqual({ batchItemFailures: [{ itemIdentifier: '1' }, { itemIdentifier: '2' }] });
  });
});

describe('the audit recorder', () => {
  const recorder = () => {
    const recorded: AuditEvent[][] = [];
    const trail = { record: async (events: AuditEvent[]) => void recorded.push(events) } as unknown as AuditTrail;
    return { recorded, handler: makeAuditRecorder({ trail }) };
  };

  it('records the audit events and reports the malformed records', async () => {
    const { recorded, handler } = recorder();
    const response = await handler({
      Records: [
        kinesisRecord('1', auditEvent('e-1')),
        kinesisRecord('2', 'not json'),
        kinesisRecord('3', auditEvent('e-3')),
      ],
    });
    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: '2' }] });
    expect(recorded).toEqual([[auditEvent('e-1'), auditEvent('e-3')]]);
  });

  it('reports a batch of nothing but malformed records record by record, without failing it whole', async () => {
    const { recorded, handler } = recorder();
    const response = await handler({ Records: [kinesisRecord('1', { eventId: 'x' }), kinesisRecord('2', '{')] });
    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: '1' }, { itemIdentifier: '2' }] });
    expect(recorded).toEqual([[]]);
  });
});
