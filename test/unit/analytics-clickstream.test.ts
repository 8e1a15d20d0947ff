import { PutRecordsCommand, type PutRecordsCommandOutput } from '@aws-sdk/client-kinesis';
import { describe, expect, it } from 'vitest';
import { KinesisClickstream } from '../../functions/analytics/adapters/kinesis-clickstream';
import { putEvents, stampEvents } from '../../functions/analytics/domain/events';
import type { AnalyticsDeps, ClickEvent } from '../../functions/analytics/ports';
import { PutEvents } from '../../functions/analytics/schemas';
import { DomainError } from '../../functions/shared/errors';

const session = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
const events = (n: number): ClickEvent[] =>
  stampEvents(
    Array.from({ length: n }, (_, i) => ({ type: 'page_view' as const, sessionId: session(i) })),
    new Date('2026-11-25T12:00:00Z'),
    (() => {
      let i = 0;
      return () => `event-${i++}`;
    })(),
  );

/** A Kinesis client at the adapter's boundary: records each PutRecords request, answers from a script. */
function fakeKinesis(answers: ((count: number) => Partial<PutRecordsCommandOutput>)[]) {
  const requests: { StreamName?: string; Records: { PartitionKey: string; event: ClickEvent }[] }[] = [];
  const client = {
    send: async (command: PutRecordsCommand) => {
      expect(command).toBeInstanceOf(PutRecordsCommand);
      const Records = command.input.Records!.map((r) => ({ PartitionKey: r.PartitionKey!, event: JSON.parse(new TextDecoder().decode(r.Data)) as ClickEvent }));
      requests.push({ StreamName: command.input.StreamName, Records });
      const answer = answers[requests.length - 1] ?? ((count: number) => ({ FailedRecordCount: 0, Records: Array.from({ length: count }, (_, i) => ({ SequenceNumber: `${i}`, ShardId: 'shardId-0' })) }));
      return answer(Records.length);
    },
  };
  return { client: client as never, requests };
}

const ok = (i: number) => ({ SequenceNumber: `seq-${i}`, ShardId: 'shardId-000000000000' });
const throttled = { ErrorCode: 'ProvisionedThroughputExceededException', ErrorMessage: 'Rate exceeded for shard' };
const noSleep = { sleep: async () => undefined };

describe('KinesisClickstream', () => {
  it('sends again only the records Kinesis reported failed, each partitioned by its session', async () => {
    const batch = events(5);
    const { client, requests } = fakeKinesis([
      () => ({ FailedRecordCount: 2, Records: [ok(0), throttled, ok(2), { ErrorCode: 'InternalFailure', ErrorMessage: 'x' }, ok(4)] }),
    ]);
    const slept: number[] = [];
    const writer = new KinesisClickstream(client, 'ecicomm-clickstream', { baseDelayMs: 100, sleep: async (ms) => void slept.push(ms) });

    expect(await writer.put(batch)).toEqual({ failed: [] });
    expect(requests).toHaveLength(2);
    expect(requests[0]!.StreamName).toBe('ecicomm-clickstream');
    expect(requests[0]!.Records.map((r) => r.event.eventId)).toEqual(['event-0', 'event-1', 'event-2', 'event-3', 'event-4']);
    expect(requests[1]!.Records.map((r) => r.event.eventId)).toEqual(['event-1', 'event-3']);
    expect(requests[1]!.Records.map((r) => r.PartitionKey)).toEqual([session(1), session(3)]);
    for (const r of requests.flatMap((q) => q.Records)) expect(r.PartitionKey).toBe(r.event.sessionId);
    expect(slept).toHaveLength(1);
    expect(slept[0]).toBeLessThanOrEqual(100);
  });

  it('gives up after a bounded number of attempts and returns what still failed', async () => {
    const batch = events(3);
    const allFail = (count: number) => ({ FailedRecordCount: count, Records: Array.from({ length: count }, () => throttled) });
    const { client, requests } = fakeKinesis([
      () => ({ FailedRecordCount: 2, Records: [ok(0), throttled, throttled] }),
      () => ({ FailedRecordCount: 1, Records: [ok(1), throttled] }),
      allFail,
      allFail,
    ]);
    const writer = new KinesisClickstream(client, 's', { maxAttempts: 3, ...noSleep });
    const { failed } = await writer.put(batch);
    expect(requests.map((r) => r.Records.length)).toEqual([3, 2, 1]);
    expect(failed.map((e) => e.eventId)).toEqual(['event-2']);
  });

  it('writes at most 500 records per call', async () => {
    const { client, requests } = fakeKinesis([]);
    await new KinesisClickstream(client, 's', noSleep).put(events(1203));
    expect(requests.map((r) => r.Records.length)).toEqual([500, 500, 203]);
  });
});

describe('putEvents', () => {
  const clock = { now: () => new Date('2026-11-25T12:00:00Z') };
  const input = PutEvents.parse({ events: [{ type: 'page_view', sessionId: session(1) }, { type: 'purchase', sessionId: session(1), productId: 'P1', value: 500, at: '2026-11-25T13:00:00+02:00' }] }).events;

  it('stamps each event with an id and the time it was received, and keeps (normalised) client times', async () => {
    const written: ClickEvent[] = [];
    const deps: AnalyticsDeps = { clock, clickstream: { put: async (e) => (written.push(...e), { failed: [] }) } };
    expect(await putEvents(input, deps)).toEqual({ accepted: 2 });
    expect(written.map((e) => [e.at, e.receivedAt])).toEqual([
      ['2026-11-25T12:00:00.000Z', '2026-11-25T12:00:00.000Z'],
      ['2026-11-25T11:00:00.000Z', '2026-11-25T12:00:00.000Z'],
    ]);
    expect(new Set(written.map((e) => e.eventId)).size).toBe(2);
  });

  it('is 503 DEPENDENCY_UNAVAILABLE, not a partial 202, when some events could not be written', async () => {
    const deps: AnalyticsDeps = { clock, clickstream: { put: async (e) => ({ failed: e.slice(1) }) } };
    const error = await putEvents(input, deps).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DomainError);
    expect([(error as DomainError).status, (error as DomainError).code]).toEqual([503, 'DEPENDENCY_UNAVAILABLE']);
  });

  it('is 503 when the stream cannot be reached', async () => {
    const deps: AnalyticsDeps = { clock, clickstream: { put: async () => Promise.reject(new Error('ECONNREFUSED')) } };
    await expect(putEvents(input, deps)).rejects.toMatchObject({ status: 503 });
  });
});
