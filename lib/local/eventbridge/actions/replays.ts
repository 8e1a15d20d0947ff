/**
 * Replays: StartReplay, DescribeReplay, ListReplays, CancelReplay, in AWS's request and response shapes. A replay
 * sends the archived events whose time (the event's own) is in its window to the bus again — to every rule, or the
 * ones Destination.FilterArns names — marked with `replay-name`, in order of that time; it runs after StartReplay
 * has answered (STARTING), as in AWS, and a CancelReplay that comes first stops it.
 */
import { ApiError } from '../../http/aws-json';
import { busName } from '../events';
import { epochMs, notFound, optionalString, requiredName, type Action, type ActionContext } from '../context';
import type { ReplaySpec } from '../types';

const seconds = (ms: number | undefined) => (ms === undefined ? undefined : ms / 1000);
/** AWS's limit of replays under way at once, per account and region. */
const MAX_ACTIVE_REPLAYS = 10;
const ACTIVE = new Set<ReplaySpec['State']>(['STARTING', 'RUNNING', 'CANCELLING']);

function destinationOf(body: Record<string, unknown>, busArn: string): ReplaySpec['Destination'] {
  const destination = body.Destination as { Arn?: unknown; FilterArns?: unknown } | undefined;
  if (destination?.Arn !== busArn)
    throw new ApiError('ValidationException', 'Destination.Arn must be the event bus the archive is on.');
  const filters = destination.FilterArns;
  if (filters !== undefined && (!Array.isArray(filters) || !filters.every((f) => typeof f === 'string' && f)))
    throw new ApiError('ValidationException', 'Destination.FilterArns must be a list of rule ARNs.');
  return { Arn: busArn, FilterArns: filters?.length ? (filters as string[]) : undefined };
}

const StartReplay: Action = (body, context) => {
  const { store, arns, now } = context;
  const name = requiredName(body, 'ReplayName');
  if (store.replays.has(name)) throw new ApiError('ResourceAlreadyExistsException', `Replay ${name} already exists.`);
  const sourceArn = optionalString(body, 'EventSourceArn') ?? '';
  const archive = [...store.archives.values()].find((a) => a.spec.ArchiveArn === sourceArn);
  if (!archive) throw notFound(`Archive ${sourceArn}`);
  const destination = destinationOf(body, archive.spec.EventSourceArn);
  const [from, to] = [epochMs(body, 'EventStartTime'), epochMs(body, 'EventEndTime')];
  if (from >= to) throw new ApiError('ValidationException', 'EventStartTime must be before EventEndTime.');
  const description = optionalString(body, 'Description');
  if (description && description.length > 512)
    throw new ApiError('ValidationException', 'Description must be at most 512 characters.');
  if ([...store.replays.values()].filter((r) => ACTIVE.has(r.State)).length >= MAX_ACTIVE_REPLAYS)
    throw new ApiError('LimitExceededException', `At most ${MAX_ACTIVE_REPLAYS} replays can be active at once.`);
  const replay: ReplaySpec = {
    ReplayName: name,
    ReplayArn: arns.replay(name),
    EventSourceArn: sourceArn,
    Destination: destination,
    EventStartTime: from,
    EventEndTime: to,
    State: 'STARTING',
    ReplayStartTime: now(),
    Description: description,
  };
  store.replays.set(name, replay);
  store.save();
  setImmediate(() => runReplay(replay, archive.spec.ArchiveName, context));
  return { ReplayArn: replay.ReplayArn, State: replay.State, ReplayStartTime: seconds(replay.ReplayStartTime) };
};

function runReplay(replay: ReplaySpec, archiveName: string, { store, router, now }: ActionContext) {
  if (replay.State === 'CANCELLING') {
    Object.assign(replay, { State: 'CANCELLED', StateReason: 'Cancelled before it started.', ReplayEndTime: now() });
    return store.save();
  }
  replay.State = 'RUNNING';
  const bus = busName(replay.Destination.Arn);
  const onlyRules = replay.Destination.FilterArns ? new Set(replay.Destination.FilterArns) : undefined;
  for (const { event } of store.archivedBetween(archiveName, replay.EventStartTime, replay.EventEndTime, now())) {
    router.route(bus, { ...event, 'replay-name': replay.ReplayName }, { onlyRules, replay: true });
    replay.EventLastReplayedTime = Date.parse(event.time);
  }
  replay.State = 'COMPLETED';
  replay.ReplayEndTime = now();
  store.save();
}

function replayOf(body: Record<string, unknown>, { store }: ActionContext): ReplaySpec {
  const replay = store.replays.get(requiredName(body, 'ReplayName'));
  if (!replay) throw notFound(`Replay ${String(body.ReplayName)}`);
  return replay;
}

/** A replay as ListReplays lists it (AWS's Replay: no ARN, destination or description). */
const listed = (replay: ReplaySpec) => ({
  ReplayName: replay.ReplayName,
  EventSourceArn: replay.EventSourceArn,
  State: replay.State,
  StateReason: replay.StateReason,
  EventStartTime: seconds(replay.EventStartTime),
  EventEndTime: seconds(replay.EventEndTime),
  EventLastReplayedTime: seconds(replay.EventLastReplayedTime),
  ReplayStartTime: seconds(replay.ReplayStartTime),
  ReplayEndTime: seconds(replay.ReplayEndTime),
});

const CancelReplay: Action = (body, context) => {
  const replay = replayOf(body, context);
  if (replay.State !== 'STARTING' && replay.State !== 'RUNNING')
    throw new ApiError(
      'IllegalStatusException',
      `Replay ${replay.ReplayName} is ${replay.State}: it cannot be cancelled.`,
    );
  replay.State = 'CANCELLING';
  context.store.save();
  return { ReplayArn: replay.ReplayArn, State: replay.State };
};

const ListReplays: Action = (body, context) => {
  const prefix = optionalString(body, 'NamePrefix') ?? '';
  const state = optionalString(body, 'State');
  const source = optionalString(body, 'EventSourceArn');
  const replays = [...context.store.replays.values()].filter(
    (r) => r.ReplayName.startsWith(prefix) && (!state || r.State === state) && (!source || r.EventSourceArn === source),
  );
  return { Replays: replays.map(listed) };
};

export const replayActions: Record<string, Action> = {
  StartReplay,
  DescribeReplay: (body, context) => {
    const replay = replayOf(body, context);
    return {
      ...listed(replay),
      ReplayArn: replay.ReplayArn,
      Description: replay.Description,
      Destination: replay.Destination,
    };
  },
  ListReplays,
  CancelReplay,
};
