/**
 * `npm run events:replay` before it reaches any EventBridge: the command line's checks (usage, dates, window,
 * pattern file), the window against an archive's retention, and the conjunction of event patterns a --pattern
 * replay's temporary rules are made of — checked against the local pattern matcher, so "the joined pattern matches
 * exactly the events both match" is tested, not assumed.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { compilePattern, matchesPattern } from '@ecicomm/local-platform/eventbridge/pattern/index';
import { checkedWindow, isoDate, ReplayRefused } from '../../lib/ops/events-replay/checks';
import {
  conjoinPatterns,
  InexpressiblePattern,
  type EventPattern,
  type ValueJudge,
} from '../../lib/ops/events-replay/patterns';

const projectRoot = fileURLToPath(new URL('../..', import.meta.url));
const tsx = path.join(projectRoot, 'node_modules/.bin/tsx');
let dir: string;

async function replay(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return promisify(execFile)(tsx, ['bin/events-replay.ts', ...args], {
    cwd: projectRoot,
    env: { ...process.env, LOCAL_DATA_DIR: path.join(dir, 'no-platform') },
  }).then(
    ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
    (e: { code: number; stdout: string; stderr: string }) => e,
  );
}

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'events-replay-'));
  writeFileSync(path.join(dir, 'not-json.json'), '{ "source": ');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('npm run events:replay: the command line', () => {
  const window = ['--from', '2026-12-07T09:00:00Z', '--to', '2026-12-07T10:00:00Z'];
  it.each([
    ['no --from', ['--to', '2026-12-07'], /required option '--from <iso>' not specified/],
    ['a date that is none', ['--from', '2026-13-45', '--to', '2026-12-07'], /--from 2026-13-45 is not an ISO date/],
    ['words for a date', ['--from', 'yesterday', '--to', '2026-12-07'], /--from yesterday is not an ISO date/],
    ['--from after --to', ['--from', '2026-12-07T10:00:00Z', '--to', '2026-12-07T09:00:00Z'], /must be before --to/],
    ['a missing pattern file', [...window, '--pattern', 'nowhere.json'], /cannot read nowhere.json: no such file/],
    ['a stray argument', [...window, 'extra'], /too many arguments/],
    ['a bad stage prefix', [...window, '--prefix', 'prod; rm -rf /'], /must be a stage prefix/],
    ['--region without --prefix', [...window, '--region', 'eu-west-2'], /--region goes with --prefix/],
  ])(
    'refuses %s with exit 2, before reaching any platform',
    async (_case, args, reason) => {
      const { code, stdout, stderr } = await replay(args);
      expect({ code, stdout }).toEqual({ code: 2, stdout: '' });
      expect(stderr).toMatch(reason);
      expect(stderr).not.toContain('No local platform');
    },
    30_000,
  );

  it('refuses a pattern file that is not JSON with exit 2, naming it', async () => {
    const file = path.join(dir, 'not-json.json');
    const { code, stderr } = await replay([...window, '--pattern', file]);
    expect(code).toBe(2);
    expect(stderr).toContain(`${file} is not JSON`);
  }, 30_000);

  it('--help prints the usage and exit codes (exit 0); good arguments with no platform running exit 1', async () => {
    const help = await replay(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('usage: npm run events:replay');
    expect(help.stdout).toMatch(/--pattern <file>[\s\S]*exit codes: 0/);
    const none = await replay(window);
    expect(none.code).toBe(1);
    expect(none.stderr).toContain('No local platform is running');
  }, 30_000);
});

describe('the window against the archive', () => {
  const now = new Date('2026-12-07T12:00:00Z');
  const at = (iso: string) => isoDate(iso)!;

  it('reads ISO dates and times only', () => {
    expect(isoDate('2026-12-07')).toEqual(new Date('2026-12-07T00:00:00Z'));
    expect(isoDate('2026-12-07T09:30:00.250+01:00')).toEqual(new Date('2026-12-07T08:30:00.250Z'));
    for (const bad of ['2026-12-32', '07/12/2026', '1733562000', '2026-12-07 09:00', ''])
      expect(isoDate(bad)).toBeUndefined();
  });

  it('keeps a window inside the retention, and cuts an end still ahead to now', () => {
    expect(checkedWindow({ from: at('2026-12-01T00:00:00Z'), to: at('2026-12-08T00:00:00Z') }, 30, now)).toEqual({
      from: at('2026-12-01T00:00:00Z'),
      to: now,
    });
  });

  it('refuses a window that starts before the retention, or in the future, or ends before it starts', () => {
    const refused =
      (from: string, to: string, retentionDays = 30) =>
      () =>
        checkedWindow({ from: at(from), to: at(to) }, retentionDays, now);
    expect(refused('2026-11-01T00:00:00Z', '2026-11-02T00:00:00Z')).toThrow(
      /outside the archive's retention: it keeps 30 days, events since 2026-11-07T12:00:00.000Z/,
    );
    expect(refused('2026-12-08T00:00:00Z', '2026-12-09T00:00:00Z')).toThrow(/is in the future/);
    expect(refused('2026-12-07T10:00:00Z', '2026-12-07T10:00:00Z')).toThrow(ReplayRefused);
    // An archive that keeps everything (0 days) takes any past window.
    expect(refused('2020-01-01T00:00:00Z', '2020-01-02T00:00:00Z', 0)).not.toThrow();
  });
});

describe('the conjunction of event patterns', () => {
  const event = (fields: Record<string, unknown>) => ({
    version: '0',
    id: '1',
    account: '000000000000',
    region: 'eu-west-2',
    time: '2026-12-07T09:00:00Z',
    resources: [],
    source: 'ecicomm.orders',
    'detail-type': 'OrderConfirmed',
    detail: {},
    ...fields,
  });
  const matches = (pattern: EventPattern, e: object) => matchesPattern(compilePattern(JSON.stringify(pattern)), e);
  const events = [
    event({}),
    event({ 'detail-type': 'OrderPlaced' }),
    event({ source: 'ecicomm.catalog', 'detail-type': 'ProductChanged' }),
    event({ detail: { total: 500, status: 'PAID' } }),
    event({ detail: { total: 50 }, 'replay-name': 'r-1' }),
    event({ 'replay-name': 'r-1' }),
    event({ 'replay-name': 'r-2', 'detail-type': 'OrderPlaced' }),
  ];
  const cases: [string, EventPattern[]][] = [
    ['two fields apart', [{ source: ['ecicomm.orders'] }, { 'detail-type': ['OrderConfirmed'] }]],
    [
      'value lists on one field',
      [{ 'detail-type': ['OrderPlaced', 'OrderConfirmed'] }, { 'detail-type': ['OrderPlaced'] }],
    ],
    ['operators beside values', [{ detail: { total: [{ numeric: ['>', 100] }] } }, { source: ['ecicomm.orders'] }]],
    [
      '$or on both sides',
      [
        { $or: [{ source: ['ecicomm.catalog'] }, { 'detail-type': ['OrderPlaced'] }] },
        { $or: [{ 'detail-type': ['OrderPlaced', 'ProductChanged'] }, { detail: { status: ['PAID'] } }] },
      ],
    ],
    ['a nested $or', [{ detail: { $or: [{ total: [500] }, { status: ['PAID'] }] } }, { source: ['ecicomm.orders'] }]],
    ['replay-name, with exists', [{ 'replay-name': [{ exists: true }] }, { 'replay-name': ['r-1'] }]],
    ['a rule that keeps replays out', [{ 'replay-name': [{ exists: false }] }, { 'replay-name': ['r-1'] }]],
  ];

  /** The local matcher judging a value against a field's matchers, as TestEventPattern does in the replay. */
  const judge: ValueJudge = async (field, value, matchers) => {
    const nested = (leaf: unknown) =>
      field
        .split('.')
        .reverse()
        .reduce<unknown>((inner, key) => ({ [key]: inner }), leaf) as EventPattern;
    return matches(nested(matchers), event(nested(value)));
  };

  it.each([
    ...cases,
    [
      'values against operators',
      [{ 'detail-type': ['OrderPlaced', 'ProductChanged'] }, { 'detail-type': [{ prefix: 'Order' }] }],
    ],
    [
      'operators against values',
      [{ source: [{ prefix: 'ecicomm.' }] }, { source: ['ecicomm.orders', 'other.orders'] }],
    ],
    [
      'anything-but against values',
      [{ source: [{ 'anything-but': ['ecicomm.catalog'] }] }, { source: ['ecicomm.catalog', 'ecicomm.orders'] }],
    ],
  ] as [string, EventPattern[]][])('matches exactly the events both match: %s', async (_case, patterns) => {
    const joined = await conjoinPatterns(patterns, judge);
    for (const e of events) {
      const both = patterns.every((p) => matches(p, e));
      expect(joined === undefined ? false : matches(joined, e)).toBe(both);
    }
  });

  it('keeps the values the operators allow, and none when they allow none', async () => {
    expect(
      await conjoinPatterns(
        [{ 'detail-type': ['OrderPlaced', 'ProductChanged'] }, { 'detail-type': [{ prefix: 'Order' }] }],
        judge,
      ),
    ).toEqual({
      'detail-type': ['OrderPlaced'],
    });
    expect(
      await conjoinPatterns([{ 'detail-type': [{ prefix: 'Product' }] }, { 'detail-type': ['OrderPlaced'] }], judge),
    ).toBeUndefined();
  });

  it('refuses two different value lists on a field that may hold a list: an event can match both', async () => {
    const rule = { detail: { items: { productId: ['p-1'] } } };
    const wanted = { detail: { items: { productId: ['p-2'] } } };
    const order = event({ detail: { items: [{ productId: 'p-1' }, { productId: 'p-2' }] } });
    expect([matches(rule, order), matches(wanted, order)]).toEqual([true, true]);
    await expect(conjoinPatterns([rule, wanted], judge)).rejects.toThrow(
      new InexpressiblePattern('detail.items.productId', 'differently, and it may hold a list'),
    );
    await expect(conjoinPatterns([{ resources: ['a'] }, { resources: [{ prefix: 'a' }] }], judge)).rejects.toThrow(
      InexpressiblePattern,
    );
    // The same list, or a value against exists, needs no intersection.
    expect(await conjoinPatterns([rule, rule, { detail: { items: { productId: [{ exists: true }] } } }])).toEqual(rule);
  });

  it('is undefined when no event can match both, and refuses what EventBridge cannot express', async () => {
    expect(await conjoinPatterns([{ source: ['a'] }, { source: ['b'] }])).toBeUndefined();
    expect(await conjoinPatterns([{ 'replay-name': [{ exists: false }] }, { 'replay-name': ['r-1'] }])).toBeUndefined();
    await expect(
      conjoinPatterns(
        [{ detail: { total: [{ numeric: ['>', 1] }] } }, { detail: { total: [{ numeric: ['<', 9] }] } }],
        judge,
      ),
    ).rejects.toThrow(new InexpressiblePattern('detail.total', 'differently, and it may hold a list'));
    await expect(
      conjoinPatterns([{ source: [{ prefix: 'ecicomm.' }] }, { source: [{ suffix: '.orders' }] }], judge),
    ).rejects.toThrow(new InexpressiblePattern('source'));
    await expect(conjoinPatterns([{ detail: ['x'] }, { detail: { total: [1] } }], judge)).rejects.toThrow(
      InexpressiblePattern,
    );
    // Without a judge, values against operators are not decided.
    await expect(conjoinPatterns([{ source: ['a'] }, { source: [{ prefix: 'a' }] }])).rejects.toThrow(
      InexpressiblePattern,
    );
  });
});
