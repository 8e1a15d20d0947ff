/**
 * `npm run events:replay`'s one code path, through the EventBridge API wherever it points — the local platform's
 * EventBridge or AWS's: the archive found by name (DescribeArchive: its ARN, its bus, its retention), the window and
 * pattern checked (./checks.ts), the rules reached chosen (./rules.ts), StartReplay, then DescribeReplay until the
 * replay has ended; the temporary rules of a --pattern replay are removed however it ends.
 */
import { randomBytes } from 'node:crypto';
import {
  CancelReplayCommand,
  DescribeArchiveCommand,
  DescribeReplayCommand,
  EventBridgeClient,
  StartReplayCommand,
  type DescribeReplayCommandOutput,
} from '@aws-sdk/client-eventbridge';
import { checkedPattern, checkedWindow, ReplayRefused } from './checks';
import { consumerRules, createTemporaryRules, REPLAY_PREFIX, removeTemporaryRules, type TemporaryRule } from './rules';

export interface ReplayRequest {
  archiveName: string;
  from: Date;
  to: Date;
  /** A JSON event pattern (parsed) and the file it came from: only events it matches are replayed. */
  pattern?: { parsed: unknown; file: string };
  /** Rule names: replay to these only (every consumer rule of the bus otherwise). */
  rules?: string[];
  /** How often DescribeReplay is asked (default 1 s). */
  pollMs?: number;
  /** Aborting cancels the replay (CancelReplay) and still removes the temporary rules. */
  signal?: AbortSignal;
  log?: (line: string) => void;
}

export interface ReplayOutcome {
  replayName: string;
  archiveArn: string;
  bus: string;
  from: string;
  to: string;
  pattern?: unknown;
  /** The rules the events went to: every rule of the bus, or these (through a temporary rule with --pattern). */
  rules: 'all' | { rule: string; through?: string }[];
  state: string;
  stateReason?: string;
  eventLastReplayedTime?: string;
  replayStartTime?: string;
  replayEndTime?: string;
}

const ENDED = new Set(['COMPLETED', 'FAILED', 'CANCELLED']);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A replay's name: when it was started, to the second, and a random tail (names are unique per account). */
export const replayNameAt = (now: Date) =>
  `${REPLAY_PREFIX}${now.toISOString().replace(/[-:]|\.\d{3}/g, '')}-${randomBytes(3).toString('hex')}`;

async function archiveNamed(client: EventBridgeClient, name: string) {
  try {
    const archive = await client.send(new DescribeArchiveCommand({ ArchiveName: name }));
    const bus = archive.EventSourceArn!.replace(/^.*:event-bus\//, '');
    return {
      arn: archive.ArchiveArn!,
      busArn: archive.EventSourceArn!,
      bus,
      retentionDays: archive.RetentionDays ?? 0,
    };
  } catch (e) {
    if ((e as Error).name === 'ResourceNotFoundException') throw new Error(`There is no archive ${name}`, { cause: e });
    throw e;
  }
}

async function untilEnded(client: EventBridgeClient, ReplayName: string, request: ReplayRequest) {
  let cancelled = false;
  for (;;) {
    const replay = await client.send(new DescribeReplayCommand({ ReplayName }));
    if (ENDED.has(replay.State!)) return replay;
    if (request.signal?.aborted && !cancelled) {
      cancelled = true;
      request.log?.(`cancelling ${ReplayName}…`);
      await client.send(new CancelReplayCommand({ ReplayName }));
    }
    await sleep(request.pollMs ?? 1000);
  }
}

const iso = (at: Date | undefined) => at?.toISOString();

function outcomeOf(replay: DescribeReplayCommandOutput, base: Omit<ReplayOutcome, 'state'>): ReplayOutcome {
  return {
    ...base,
    state: replay.State!,
    stateReason: replay.StateReason,
    eventLastReplayedTime: iso(replay.EventLastReplayedTime),
    replayStartTime: iso(replay.ReplayStartTime),
    replayEndTime: iso(replay.ReplayEndTime),
  };
}

/** Checks, starts and follows one replay to its end; ReplayRefused when the request cannot be run as asked. */
export async function replayArchivedEvents(client: EventBridgeClient, request: ReplayRequest): Promise<ReplayOutcome> {
  const now = new Date();
  const archive = await archiveNamed(client, request.archiveName);
  const { from, to } = checkedWindow({ from: request.from, to: request.to }, archive.retentionDays, now);
  const pattern = request.pattern && (await checkedPattern(client, request.pattern.parsed, request.pattern.file));
  const replayName = replayNameAt(now);
  const consumers = pattern || request.rules ? await consumerRules(client, archive.bus, request.rules) : [];
  let temporary: TemporaryRule[] = [];
  try {
    if (pattern) temporary = await createTemporaryRules(client, archive.bus, replayName, consumers, pattern);
    const filterArns = pattern ? temporary.map((t) => t.arn) : request.rules ? consumers.map((c) => c.arn) : undefined;
    if (filterArns?.length === 0)
      throw new ReplayRefused(
        pattern
          ? `no rule on ${archive.bus} with targets can receive events matching ${request.pattern!.file}: nothing replayed`
          : `the rules named have no targets on ${archive.bus}: nothing replayed`,
      );
    const rules = pattern
      ? temporary.map((t) => ({ rule: t.stands, through: t.name }))
      : request.rules
        ? consumers.map((c) => ({ rule: c.name }))
        : ('all' as const);
    request.log?.(
      `replaying ${archive.arn} ${from.toISOString()} → ${to.toISOString()} as ${replayName} to ` +
        (rules === 'all' ? `every rule of ${archive.bus}` : rules.map((r) => r.rule).join(', ')),
    );
    await client.send(
      new StartReplayCommand({
        ReplayName: replayName,
        EventSourceArn: archive.arn,
        EventStartTime: from,
        EventEndTime: to,
        Destination: { Arn: archive.busArn, FilterArns: filterArns },
        Description: 'npm run events:replay',
      }),
    );
    const replay = await untilEnded(client, replayName, request);
    const base = { replayName, archiveArn: archive.arn, bus: archive.bus, from: iso(from)!, to: iso(to)!, rules };
    return outcomeOf(replay, { ...base, ...(pattern ? { pattern } : {}) });
  } finally {
    await removeTemporaryRules(client, archive.bus, temporary, (rule, e) =>
      request.log?.(`could not remove the temporary rule ${rule} (remove it by hand): ${e.message}`),
    );
  }
}
