/**
 * `npm run events:replay` (bin/events-replay.ts) against the running platform, as an operator runs it: events put
 * on the domain events bus before, inside and after a window; a rule with an SQS target (this file's, removed
 * after it) sees them live, then again — exactly the window's, each marked with the replay's `replay-name` — when
 * the window is replayed; with --pattern only the matching ones, through a temporary rule that is gone afterwards;
 * an invalid pattern and a window outside the archive's retention are refused (exit 2) and replay nothing.
 */
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ListRulesCommand, PutEventsCommand, type EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { projectRoot } from '@ecicomm/local-platform/platform';
import { EVENT_BUS } from '../../functions/events/schemas';
import type { ReplayOutcome } from '../../lib/ops/events-replay/replay';
import { writeRuntimeFile } from '../support/runtime-file';
import { EventObserver } from '../support/event-observer';
import { eventually } from '../support/eventually';

interface Probe {
  'replay-name'?: string;
  detail: { batch: 'before' | 'inside' | 'after'; n: number; kind: 'keep' | 'skip' };
}

const TAG = randomUUID().slice(0, 8);
const SOURCE = `ecicomm.replay-test-${TAG}`;
const RULE = `replay-probe-${TAG}`;
let dataDir: string;
let observer: EventObserver<Probe>;
let events: EventBridgeClient;
let window: { from: string; to: string };

async function replay(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return promisify(execFile)(path.join(projectRoot, 'node_modules/.bin/tsx'), ['bin/events-replay.ts', ...args], {
    cwd: projectRoot,
    env: { ...process.env, LOCAL_DATA_DIR: dataDir },
  }).then(
    ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
    (e: { code: number; stdout: string; stderr: string }) => e,
  );
}

/** What the observer has seen of a replay (or, without one, live). */
async function received(replayName?: string): Promise<Probe[]> {
  return (await observer.drain()).filter((e) => e['replay-name'] === replayName);
}

const probes = (events: Probe[]) => events.map((e) => `${e.detail.batch}-${e.detail.n}-${e.detail.kind}`).sort();

async function put(batch: Probe['detail']['batch'], kinds: Probe['detail']['kind'][]) {
  const Entries = kinds.map((kind, n) => ({
    EventBusName: EVENT_BUS,
    Source: SOURCE,
    DetailType: 'ReplayProbe',
    Detail: JSON.stringify({ batch, n, kind }),
  }));
  const { FailedEntryCount } = await events.send(new PutEventsCommand({ Entries }));
  expect(FailedEntryCount).toBe(0);
}

/** Waits for the next whole second (an event's time is to the second) and returns it. */
async function nextSecond(): Promise<string> {
  const next = Math.floor(Date.now() / 1000) * 1000 + 1000;
  while (Date.now() < next) await new Promise((resolve) => setTimeout(resolve, next - Date.now()));
  return new Date(next).toISOString();
}

function outcomeOf(stdout: string): ReplayOutcome {
  return JSON.parse(stdout) as ReplayOutcome;
}

beforeAll(async () => {
  dataDir = mkdtempSync(path.join(tmpdir(), 'events-replay-test-'));
  writeRuntimeFile(dataDir);
  observer = new EventObserver<Probe>(RULE);
  events = observer.events;
  await observer.start({ source: [SOURCE] });
  await put('before', ['keep', 'skip']);
  const from = await nextSecond();
  await put('inside', ['keep', 'skip', 'keep']);
  window = { from, to: await nextSecond() };
  await put('after', ['keep', 'skip']);
  await eventually(async () => expect(await received()).toHaveLength(7), { timeout: 20_000, interval: 200 });
});

afterAll(async () => {
  await observer?.stop();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

describe('npm run events:replay', () => {
  let everything: ReplayOutcome;

  it("replays exactly the window's events to the rules again, each marked with the replay's name", async () => {
    const res = await replay(['--from', window.from, '--to', window.to]);
    expect(res).toMatchObject({ code: 0 });
    everything = outcomeOf(res.stdout);
    expect(everything).toMatchObject({ state: 'COMPLETED', bus: EVENT_BUS, rules: 'all', ...window });
    expect(res.stderr).toContain(`${everything.replayName}: COMPLETED`);
    await eventually(async () => expect(await received(everything.replayName)).toHaveLength(3), {
      timeout: 20_000,
      interval: 200,
    });
    expect(probes(await received(everything.replayName))).toEqual(['inside-0-keep', 'inside-1-skip', 'inside-2-keep']);
  });

  it('with --pattern replays only the events it matches, through a temporary rule removed afterwards', async () => {
    const file = path.join(dataDir, 'keep.json');
    // The rule names its source; the pattern a prefix of it, which EventBridge (TestEventPattern) judges.
    const pattern = { source: [{ prefix: 'ecicomm.replay-test-' }], detail: { kind: ['keep'] } };
    writeFileSync(file, JSON.stringify(pattern));
    const res = await replay(['--from', window.from, '--to', window.to, '--pattern', file]);
    expect(res).toMatchObject({ code: 0 });
    const outcome = outcomeOf(res.stdout);
    expect(outcome).toMatchObject({ state: 'COMPLETED', pattern });
    expect(outcome.rules).toContainEqual({
      rule: RULE,
      through: expect.stringMatching(`^${outcome.replayName}-\\d+$`),
    });
    await eventually(async () => expect(await received(outcome.replayName)).toHaveLength(2), {
      timeout: 20_000,
      interval: 200,
    });
    expect(probes(await received(outcome.replayName))).toEqual(['inside-0-keep', 'inside-2-keep']);
    const { Rules = [] } = await events.send(
      new ListRulesCommand({ EventBusName: EVENT_BUS, NamePrefix: outcome.replayName }),
    );
    expect(Rules).toEqual([]);
    // Nothing more came of either replay meanwhile, and nothing was sent again live.
    expect(await received(everything.replayName)).toHaveLength(3);
    expect(await received()).toHaveLength(7);
  });

  it('refuses an invalid pattern, a pattern no rule can receive and a window outside the retention (exit 2), replaying nothing', async () => {
    const invalid = path.join(dataDir, 'invalid.json');
    writeFileSync(invalid, JSON.stringify({ source: [] }));
    const bad = await replay(['--from', window.from, '--to', window.to, '--pattern', invalid]);
    expect(bad).toMatchObject({ code: 2, stdout: '' });
    expect(bad.stderr).toMatch(new RegExp(`${invalid} is not a valid event pattern: .*Empty arrays are not allowed`));
    const nobody = path.join(dataDir, 'nobody.json');
    writeFileSync(nobody, JSON.stringify({ source: [`nobody-listens-${TAG}`] }));
    const unheard = await replay(['--from', window.from, '--to', window.to, '--pattern', nobody]);
    expect(unheard).toMatchObject({ code: 2, stdout: '' });
    expect(unheard.stderr).toContain(`can receive events matching ${nobody}: nothing replayed`);
    const longAgo = new Date(Date.now() - 40 * 24 * 3600 * 1000).toISOString();
    const old = await replay(['--from', longAgo, '--to', window.to]);
    expect(old).toMatchObject({ code: 2, stdout: '' });
    expect(old.stderr).toContain("is outside the archive's retention: it keeps 30 days");
    expect(await received()).toHaveLength(7);
    expect(observer.seen).toHaveLength(7 + 3 + 2);
  });
});
