import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { api, newShopper, platform } from '../support/api';
import { positionAfter, readStream, type StreamPosition } from '../support/kinesis';

/** What other files put on the stream before this one started (a history replay puts tens of thousands) is skipped. */
let start: StreamPosition = {};
const clickstream = () =>
  readStream(platform().kinesisEndpoint, platform().clickstreamStream, platform().region, start);
beforeAll(async () => {
  start = positionAfter(await clickstream());
});
const sessionRecords = async (sessionIds: string[]) =>
  (await clickstream()).filter((r) => sessionIds.includes(r.partitionKey));

const TYPES = ['page_view', 'product_view', 'add_to_cart', 'purchase', 'search'] as const;
/** A client time an hour ago, as a client in UTC+1 writes it, and the UTC instant the stream should carry. */
const CLIENT_INSTANT = new Date(Math.floor((Date.now() - 3_600_000) / 1000) * 1000);
const CLIENT_AT = new Date(CLIENT_INSTANT.getTime() + 3_600_000).toISOString().replace('.000Z', '+01:00');
const CLIENT_AT_UTC = CLIENT_INSTANT.toISOString();
/** A valid event of each type in turn. */
const eventOf = (i: number, sessionId: string) => {
  const type = TYPES[i % TYPES.length];
  return {
    type,
    sessionId,
    ...(type === 'product_view' || type === 'add_to_cart' || type === 'purchase' ? { productId: `P-${i}` } : {}),
    ...(type === 'search' ? { query: 'heart t-light' } : {}),
    ...(type === 'purchase' ? { value: 1299 } : {}),
    ...(i % 2 === 0 ? { at: CLIENT_AT } : {}),
  };
};

describe('POST /v1/events', () => {
  it('accepts a valid batch (202 {accepted}) and puts every event on the stream, partitioned by session', async () => {
    const sessions = [randomUUID(), randomUUID(), randomUUID()];
    const events = Array.from({ length: 30 }, (_, i) => eventOf(i, sessions[i % sessions.length]));
    const before = Date.now();
    const res = await api('/v1/events', { method: 'POST', body: { events } });
    expect([res.status, res.body]).toEqual([202, { accepted: 30 }]);

    const records = await sessionRecords(sessions);
    expect(records).toHaveLength(30);
    for (const r of records) {
      expect(r.partitionKey).toBe(r.data.sessionId);
      expect(r.data.eventId).toMatch(/^[0-9a-f-]{36}$/);
      expect(Date.parse(r.data.receivedAt)).toBeGreaterThanOrEqual(before - 1000);
    }
    expect(new Set(records.map((r) => r.data.eventId)).size).toBe(30);
    // Events sent with a time keep it (normalised to UTC); the others get the server's.
    const withTime = records.filter((r) => r.data.at === CLIENT_AT_UTC);
    expect(withTime).toHaveLength(15);
    for (const r of records.filter((x) => x.data.at !== CLIENT_AT_UTC)) expect(r.data.at).toBe(r.data.receivedAt);
    // One session's events stay on one shard, in the order sent.
    for (const s of sessions) {
      const mine = records.filter((r) => r.partitionKey === s);
      expect(new Set(mine.map((r) => r.shardId)).size).toBe(1);
      expect(mine.map((r) => r.data.type)).toEqual(events.filter((e) => e.sessionId === s).map((e) => e.type));
    }
  });

  it('rejects the whole batch when one event is invalid: 400 naming it, nothing written', async () => {
    const sessionId = randomUUID();
    const events: Record<string, unknown>[] = Array.from({ length: 10 }, (_, i) => eventOf(i, sessionId));
    events[7] = { ...events[7], sessionId: 'not-a-uuid' };
    const res = await api('/v1/events', { method: 'POST', body: { events } });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('VALIDATION_ERROR');
    expect(res.body.error.message).toContain('events.7.sessionId');
    expect(res.body.error.details.map((d: { path: string }) => d.path)).toEqual(['events.7.sessionId']);
    expect(await sessionRecords([sessionId, 'not-a-uuid'])).toEqual([]);
  });

  it.each([
    ['an unknown type', { type: 'click' }, 'events.3.type'],
    ['a fractional value', { value: 12.5 }, 'events.3.value'],
    ['a negative value', { value: -1 }, 'events.3.value'],
    ['a time that is not ISO 8601', { at: '25/11/2026' }, 'events.3.at'],
    ['a query over 200 characters', { type: 'search', query: 'x'.repeat(201) }, 'events.3.query'],
    ['a bad product id', { productId: 'no spaces/allowed' }, 'events.3.productId'],
    ['a product view without a product', { type: 'product_view', productId: undefined }, 'events.3.productId'],
    ['an unknown field', { colour: 'red' }, 'events.3'],
    ['a time more than 24 hours ago', { at: new Date(Date.now() - 25 * 3_600_000).toISOString() }, 'events.3.at'],
    [
      'a back-dated purchase',
      { type: 'purchase', productId: 'P-3', value: 99_999_999, at: '2011-12-09T10:00:00Z' },
      'events.3.at',
    ],
    ['a time more than 5 minutes ahead', { at: new Date(Date.now() + 10 * 60_000).toISOString() }, 'events.3.at'],
    ['an eventId that is not a bounded token', { eventId: 'has spaces in it' }, 'events.3.eventId'],
  ])('names the field of %s', async (_name, change, path) => {
    const sessionId = randomUUID();
    const events: Record<string, unknown>[] = Array.from({ length: 5 }, (_, i) => eventOf(i, sessionId));
    events[3] = JSON.parse(JSON.stringify({ ...events[3], ...change }));
    const res = await api('/v1/events', { method: 'POST', body: { events } });
    expect(res.status, JSON.stringify(res.body)).toBe(400);
    expect(res.body.error.details[0].path).toBe(path);
    expect(await sessionRecords([sessionId])).toEqual([]);
  });

  it('names every event whose time is out of the window, and the message names the first', async () => {
    const sessionId = randomUUID();
    const events: Record<string, unknown>[] = Array.from({ length: 6 }, (_, i) => eventOf(i, sessionId));
    events[1] = { ...events[1], at: '2026-01-01T00:00:00Z' };
    events[4] = { ...events[4], at: new Date(Date.now() + 3_600_000).toISOString() };
    const res = await api('/v1/events', { method: 'POST', body: { events } });
    expect([res.status, res.body.error.code]).toEqual([400, 'VALIDATION_ERROR']);
    expect(res.body.error.message).toMatch(/^Invalid request: events\.1\.at: Must be at most 24 hours before/);
    expect(res.body.error.details.map((d: { path: string }) => d.path)).toEqual(['events.1.at', 'events.4.at']);
    expect(await sessionRecords([sessionId])).toEqual([]);
  });

  it("stores an event sent with the client's eventId under the same id on every resend, per session", async () => {
    const [one, two] = [randomUUID(), randomUUID()];
    const eventId = randomUUID();
    const batch = [{ ...eventOf(0, one), eventId }, { ...eventOf(1, two), eventId }, eventOf(2, one)];
    for (let i = 0; i < 2; i++)
      expect((await api('/v1/events', { method: 'POST', body: { events: batch } })).status).toBe(202);
    const ids = (await sessionRecords([one, two])).map((r) => r.data.eventId as string);
    expect(ids.filter((id) => id === `${one}:${eventId}`)).toHaveLength(2);
    expect(ids.filter((id) => id === `${two}:${eventId}`)).toHaveLength(2);
    // Without an eventId each send is a new event, as before.
    expect(new Set(ids.filter((id) => !id.includes(':'))).size).toBe(2);
  });

  it('takes 1 to 500 events: 0 and 501 are 400, 500 is accepted', async () => {
    const empty = await api('/v1/events', { method: 'POST', body: { events: [] } });
    expect([empty.status, empty.body.error.details[0].path]).toEqual([400, 'events']);

    const tooMany = randomUUID();
    const over = await api('/v1/events', {
      method: 'POST',
      body: { events: Array.from({ length: 501 }, (_, i) => eventOf(i, tooMany)) },
    });
    expect([over.status, over.body.error.details[0].path]).toEqual([400, 'events']);
    expect(await sessionRecords([tooMany])).toEqual([]);

    const full = randomUUID();
    const ok = await api('/v1/events', {
      method: 'POST',
      body: { events: Array.from({ length: 500 }, (_, i) => eventOf(i, full)) },
    });
    expect([ok.status, ok.body]).toEqual([202, { accepted: 500 }]);
    expect(await sessionRecords([full])).toHaveLength(500);
  });

  it('accepts anonymous and signed-in shoppers alike; a bad token is still refused', async () => {
    const [anonymous, signedIn] = [randomUUID(), randomUUID()];
    const shopper = await newShopper();
    expect((await api('/v1/events', { method: 'POST', body: { events: [eventOf(0, anonymous)] } })).status).toBe(202);
    expect(
      (await api('/v1/events', { method: 'POST', token: shopper.token, body: { events: [eventOf(0, signedIn)] } }))
        .status,
    ).toBe(202);
    expect(
      (await api('/v1/events', { method: 'POST', token: 'not-a-token', body: { events: [eventOf(0, randomUUID())] } }))
        .status,
    ).toBe(401);
    expect((await sessionRecords([anonymous, signedIn])).map((r) => r.partitionKey).sort()).toEqual(
      [anonymous, signedIn].sort(),
    );
  });
});
