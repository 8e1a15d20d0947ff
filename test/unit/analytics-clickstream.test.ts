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
      const Records = command.input.Records!.map((r) => ({
        PartitionKey: r.PartitionKey!,
        event: JSON.parse(new TextDecoder().decode(r.Data)) as ClickEvent,
      }));
      requests.push({ StreamName: command.input.StreamName, Records });
      const answer =
        answers[requests.length - 1] ??
        ((count: number) => ({
          FailedRecordCount: 0,
          Records: Array.from({ length: count }, (_, i) => ({ SequenceNumber: `${i}`, ShardId: 'shardId-0' })),
        }));
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
      () => ({
        FailedRecordCount: 2,
        Records: [ok(0), throttled, ok(2), { ErrorCode: 'InternalFailure', ErrorMessage: 'x' }, ok(4)],
      }),
    ]);
    const slept: number[] = [];
    const writer = new KinesisClickstream(client, 'ecicomm-clickstream', {
      baseDelayMs: 100,
      sleep: async (ms) => void slept.push(ms),
    });

    expect(await writer.put(batch)).toEqual({ failed: [] });
    expect(requests).toHaveLength(2);
    expect(requests[0]!.StreamName).toBe('ecicomm-clickstream');
    expect(requests[0]!.Records.map((r) => r.event.eventId)).toEqual([
      'event-0',
      'event-1',
      'event-2',
      'event-3',
      'event-4',
    ]);
    expect(requests[1]!.Records.map((r) => r.event.eventId)).toEqual(['event-1', 'event-3']);
    expect(requests[1]!.Records.map((r) => r.PartitionKey)).toEqual([session(1), session(3)]);
    for (const r of requests.flatMap((q) => q.Records)) expect(r.PartitionKey).toBe(r.event.sessionId);
    expect(slept).toHaveLength(1);
    expect(slept[0]).toBeLessThanOrEqual(100);
  });

  it('gives up after a bounded number of attempts and returns what still failed', async () => {
    const batch = events(3);
    const allFail = (count: number) => ({
      FailedRecordCount: count,
      Records: Array.from({ length: count }, () => throttled),
    });
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

/** A log that keeps what it was told, for the tests that look. */
const recordingLog = () => {
  const lines: { level: 'warn' | 'error'; message: string; details: Record<string, unknown> }[] = [];
  return {
    lines,
    log: {
      warn: (message: string, details: Record<string, unknown>) => void lines.push({ level: 'warn', message, details }),
      error: (message: string, details: Record<string, unknown>) =>
        void lines.push({ level: 'error', message, details }),
    },
  };
};

describe('putEvents', () => {
  const clock = { now: () => new Date('2026-11-25T12:00:00Z') };
  const input = PutEvents.parse({
    events: [
      { type: 'page_view', sessionId: session(1) },
      { type: 'purchase', sessionId: session(1), productId: 'P1', value: 500, at: '2026-11-25T13:00:00+02:00' },
    ],
  }).events;

  it('stamps each event with an id and the time it was received, and keeps (normalised) client times', async () => {
    const written: ClickEvent[] = [];
    const deps: AnalyticsDeps = {
      clock,
      log: recordingLog().log,
      clickstream: { put: async (e) => (written.push(...e), { failed: [] }) },
    };
    expect(await putEvents(input, deps)).toEqual({ accepted: 2 });
    expect(written.map((e) => [e.at, e.receivedAt])).toEqual([
      ['2026-11-25T12:00:00.000Z', '2026-11-25T12:00:00.000Z'],
      ['2026-11-25T11:00:00.000Z', '2026-11-25T12:00:00.000Z'],
    ]);
    expect(new Set(written.map((e) => e.eventId)).size).toBe(2);
  });

  it('is 503 DEPENDENCY_UNAVAILABLE, not a partial 202, when some events could not be written', async () => {
    const { lines, log } = recordingLog();
    const deps: AnalyticsDeps = { clock, log, clickstream: { put: async (e) => ({ failed: e.slice(1) }) } };
    const error = await putEvents(input, deps).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DomainError);
    expect([(error as DomainError).status, (error as DomainError).code]).toEqual([503, 'DEPENDENCY_UNAVAILABLE']);
    expect(lines.map((l) => [l.level, l.message, l.details])).toEqual([
      ['warn', 'clickstream records still failing after retries', { failed: 1, events: 2 }],
    ]);
  });

  it('is 503 when the stream cannot be reached', async () => {
    const { lines, log } = recordingLog();
    const deps: AnalyticsDeps = {
      clock,
      log,
      clickstream: { put: async () => Promise.reject(new Error('ECONNREFUSED')) },
    };
    await expect(putEvents(input, deps)).rejects.toMatchObject({ status: 503 });
    expect(lines.map((l) => [l.level, l.message, (l.details.error as Error).message])).toEqual([
      ['error', 'clickstream write failed', 'ECONNREFUSED'],
    ]);
  });
});

describe('client event ids and event times', () => {
  const now = new Date('2026-11-25T12:00:00Z');
  const clock = { now: () => now };
  const recording = () => {
    const written: ClickEvent[] = [];
    const deps: AnalyticsDeps = {
      clock,
      log: recordingLog().log,
      clickstream: { put: async (e) => (written.push(...e), { failed: [] }) },
    };
    return { written, deps };
  };
  const refusal = async (events: unknown[]) => {
    const { written, deps } = recording();
    const error = await putEvents(PutEvents.parse({ events }).events, deps).catch((e: unknown) => e);
    expect(written, 'nothing is written when the batch is refused').toEqual([]);
    expect(error).toBeInstanceOf(DomainError);
    return error as DomainError;
  };

  it('stores an event with a client eventId under an id made of its session and that id: a resent batch gets the same ids', async () => {
    const batch = [
      { type: 'page_view', sessionId: session(1), eventId: 'a1b2c3d4' },
      { type: 'page_view', sessionId: session(2), eventId: 'a1b2c3d4' },
      { type: 'add_to_cart', sessionId: session(1), productId: 'P1', eventId: '7f0c5b2e-4a61-4f7e-9d0a-3b1c2d3e4f50' },
      { type: 'page_view', sessionId: session(1) },
    ];
    const first = recording();
    const again = recording();
    await putEvents(PutEvents.parse({ events: batch }).events, first.deps);
    await putEvents(PutEvents.parse({ events: batch }).events, again.deps);
    const ids = first.written.map((e) => e.eventId);
    expect(ids.slice(0, 3)).toEqual([
      `${session(1)}:a1b2c3d4`,
      `${session(2)}:a1b2c3d4`,
      `${session(1)}:7f0c5b2e-4a61-4f7e-9d0a-3b1c2d3e4f50`,
    ]);
    // The resend: the same ids where the client named its events; a fresh one where it did not (as before).
    expect(again.written.map((e) => e.eventId).slice(0, 3)).toEqual(ids.slice(0, 3));
    expect(again.written[3]!.eventId).not.toBe(ids[3]);
    expect(ids[3]).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('takes a UUID or a token of 8-64 letters, digits, dash or underscore as eventId', () => {
    const parses = (eventId: unknown) =>
      PutEvents.safeParse({ events: [{ type: 'page_view', sessionId: session(1), eventId }] }).success;
    expect(['7f0c5b2e-4a61-4f7e-9d0a-3b1c2d3e4f50', 'abcdefgh', 'x'.repeat(64), 'evt_01-A'].map(parses)).toEqual([
      true,
      true,
      true,
      true,
    ]);
    expect(['abcdefg', 'x'.repeat(65), 'has:colon', 'has space', '-leading', '', 12345678].map(parses)).toEqual([
      false,
      false,
      false,
      false,
      false,
      false,
      false,
    ]);
  });

  it('refuses an eventId repeated in one session of the batch, naming the repeat; the same id in two sessions is two events', async () => {
    const error = await refusal([
      { type: 'page_view', sessionId: session(1), eventId: 'repeated1' },
      { type: 'page_view', sessionId: session(2), eventId: 'repeated1' },
      { type: 'page_view', sessionId: session(1), eventId: 'repeated1' },
    ]);
    expect([error.status, error.code, error.details]).toEqual([
      400,
      'VALIDATION_ERROR',
      [{ path: 'events.2.eventId', message: 'Repeats the eventId of events.0 in the same session' }],
    ]);
  });

  it('refuses an at more than 24 h before or 5 min after the server time, naming every such event; the edges are accepted', async () => {
    const at = (ms: number) => new Date(now.getTime() + ms).toISOString();
    const error = await refusal([
      { type: 'page_view', sessionId: session(1), at: at(-24 * 3_600_000) },
      { type: 'page_view', sessionId: session(1), at: at(-24 * 3_600_000 - 1) },
      { type: 'page_view', sessionId: session(1), at: at(5 * 60_000) },
      { type: 'purchase', sessionId: session(1), at: '2011-12-09T10:00:00Z', value: 99_999_999 },
      { type: 'page_view', sessionId: session(1), at: at(5 * 60_000 + 1) },
    ]);
    expect(error.status).toBe(400);
    expect(error.message).toMatch(/^Invalid request: events\.1\.at: Must be at most 24 hours before/);
    expect(error.details!.map((d) => d.path)).toEqual(['events.1.at', 'events.3.at', 'events.4.at']);
    expect(error.details![2]!.message).toBe(
      "Must be at most 5 minutes after the server's time (2026-11-25T12:00:00.000Z)",
    );

    const { written, deps } = recording();
    const edges = [
      { type: 'page_view', sessionId: session(1), at: at(-24 * 3_600_000) },
      { type: 'page_view', sessionId: session(1), at: '2026-11-25T14:05:00+02:00' },
    ];
    expect(await putEvents(PutEvents.parse({ events: edges }).events, deps)).toEqual({ accepted: 2 });
    expect(written.map((e) => e.at)).toEqual(['2026-11-24T12:00:00.000Z', '2026-11-25T12:05:00.000Z']);
  });
});
