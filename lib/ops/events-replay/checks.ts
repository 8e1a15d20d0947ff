/**
 * What `npm run events:replay` checks before it starts anything: the window (ISO dates, in order, within the
 * archive's retention) and the pattern (JSON, valid as EventBridge judges it: TestEventPattern, which the local
 * EventBridge answers with the same pattern compiler its rules use).
 */
import { EventBridgeClient, TestEventPatternCommand } from '@aws-sdk/client-eventbridge';
import type { EventPattern, ValueJudge } from './patterns';

/** A refusal of the command line's input: one line, exit 2, and nothing was started. */
export class ReplayRefused extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ReplayRefused';
  }
}

const DAY_MS = 24 * 60 * 60 * 1000;
/** An ISO 8601 date, or date and time with an offset or Z (what --from and --to take). */
const ISO = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2}))?$/;

/** An ISO date of the command line, or undefined when it is none. */
export function isoDate(value: string): Date | undefined {
  if (!ISO.test(value)) return undefined;
  const at = new Date(value);
  return Number.isNaN(at.getTime()) ? undefined : at;
}

export interface ReplayWindow {
  from: Date;
  to: Date;
}

/**
 * The window replayed: `from` before `to`, `from` no earlier than the archive keeps events (retentionDays, 0 for
 * ever), and `to` no later than now (a replay cannot send what has not happened; an end ahead is cut to now).
 */
export function checkedWindow(window: ReplayWindow, retentionDays: number, now: Date): ReplayWindow {
  const { from } = window;
  const to = window.to.getTime() > now.getTime() ? now : window.to;
  if (from.getTime() >= window.to.getTime())
    throw new ReplayRefused(`--from (${from.toISOString()}) must be before --to (${window.to.toISOString()})`);
  if (from.getTime() >= now.getTime()) throw new ReplayRefused(`--from (${from.toISOString()}) is in the future`);
  if (retentionDays > 0) {
    const keptFrom = new Date(now.getTime() - retentionDays * DAY_MS);
    if (from.getTime() < keptFrom.getTime())
      throw new ReplayRefused(
        `--from (${from.toISOString()}) is outside the archive's retention: it keeps ${retentionDays} days, ` +
          `events since ${keptFrom.toISOString()}`,
      );
  }
  return { from, to };
}

/** An event with every field TestEventPattern requires, to have a pattern judged. */
const PROBE_EVENT = {
  version: '0',
  id: '00000000-0000-0000-0000-000000000000',
  'detail-type': 'events:replay pattern check',
  source: 'ecicomm.events-replay',
  account: '000000000000',
  time: '2026-01-01T00:00:00Z',
  region: 'eu-west-2',
  resources: [],
  detail: {},
};

/** The pattern parsed and judged by EventBridge (TestEventPattern): a ReplayRefused naming why when it is not one. */
export async function checkedPattern(client: EventBridgeClient, parsed: unknown, file: string): Promise<EventPattern> {
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    throw new ReplayRefused(`${file} is not an event pattern: it must be a JSON object`);
  if ('replay-name' in parsed)
    throw new ReplayRefused(`${file} filters on replay-name: the replay sets that field itself`);
  try {
    await client.send(
      new TestEventPatternCommand({ EventPattern: JSON.stringify(parsed), Event: JSON.stringify(PROBE_EVENT) }),
    );
  } catch (e) {
    if ((e as Error).name === 'InvalidEventPatternException')
      throw new ReplayRefused(`${file} is not a valid event pattern: ${(e as Error).message}`);
    throw e;
  }
  return parsed as EventPattern;
}

/** A value nested at a field's path (`detail.total`): `{ detail: { total: value } }`. */
const nestedAt = (field: string, value: unknown) =>
  field
    .split('.')
    .reverse()
    .reduce<unknown>((inner, key) => ({ [key]: inner }), value) as Record<string, unknown>;

/**
 * Values judged against a field's matchers by EventBridge itself (TestEventPattern), as the rule would judge an
 * event holding the value: what joins a list of values with a list of operators (./patterns.ts).
 */
export const eventBridgeJudge =
  (client: EventBridgeClient): ValueJudge =>
  async (field, value, matchers) => {
    const event = { ...PROBE_EVENT, ...nestedAt(field, value) };
    const { Result } = await client.send(
      new TestEventPatternCommand({
        EventPattern: JSON.stringify(nestedAt(field, matchers)),
        Event: JSON.stringify(event),
      }),
    );
    return Result === true;
  };
