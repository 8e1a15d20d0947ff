/**
 * Archives and replays: CreateArchive, DescribeArchive, ListArchives, DeleteArchive, StartReplay, DescribeReplay,
 * ListReplays. A replay sends the archived events of a time window to the bus again, to all its rules or the ones
 * it names, marked with `replay-name`; it runs after StartReplay answers, as in AWS.
 */
import { ApiError } from '../../http/aws-json';
import { busName } from '../events';
import { epochMs, notFound, optionalString, requiredName, type Action, type ActionContext } from '../context';
import type { ArchiveSpec, ReplaySpec } from '../types';
import { checkedPattern } from './events';

const seconds = (ms: number | undefined) => (ms === undefined ? undefined : ms / 1000);

function archiveOf(body: Record<string, unknown>, { store }: ActionContext) {
  const name = requiredName(body, 'ArchiveName');
  const archive = store.archives.get(name);
  if (!archive) throw notFound(`Archive ${name}`);
  return archive;
}

function describeArchive(spec: ArchiveSpec, { store }: ActionContext) {
  const { count, bytes } = store.archivedCount(spec.ArchiveName);
  return { ...spec, State: 'ENABLED', EventCount: count, SizeBytes: bytes, CreationTime: seconds(spec.CreationTime) };
}

const CreateArchive: Action = (body, context) => {
  const { store, arns, now } = context;
  const name = requiredName(body, 'ArchiveName');
  if (store.archives.has(name)) throw new ApiError('ResourceAlreadyExistsException', `Archive ${name} already exists.`);
  const source = optionalString(body, 'EventSourceArn') ?? '';
  if (!store.buses.has(busName(source)) || !source.startsWith('arn:'))
    throw new ApiError('ResourceNotFoundException', `Event bus ${source} does not exist.`);
  const text = optionalString(body, 'EventPattern');
  const retention = body.RetentionDays ?? 0;
  if (typeof retention !== 'number' || !Number.isInteger(retention) || retention < 0)
    throw new ApiError('ValidationException', 'RetentionDays must be a whole number of days, 0 for ever.');
  const spec: ArchiveSpec = {
    ArchiveName: name,
    ArchiveArn: arns.archive(name),
    EventSourceArn: source,
    EventPattern: text,
    Description: optionalString(body, 'Description'),
    RetentionDays: retention,
    CreationTime: now(),
  };
  store.addArchive({ spec, pattern: text ? checkedPattern(text) : undefined });
  return { ArchiveArn: spec.ArchiveArn, State: 'ENABLED', CreationTime: seconds(spec.CreationTime) };
};

const StartReplay: Action = (body, context) => {
  const { store, arns, now } = context;
  const name = requiredName(body, 'ReplayName');
  if (store.replays.has(name)) throw new ApiError('ResourceAlreadyExistsException', `Replay ${name} already exists.`);
  const sourceArn = optionalString(body, 'EventSourceArn') ?? '';
  const archive = [...store.archives.values()].find((a) => a.spec.ArchiveArn === sourceArn);
  if (!archive) throw notFound(`Archive ${sourceArn}`);
  const destination = body.Destination as ReplaySpec['Destination'] | undefined;
  if (destination?.Arn !== archive.spec.EventSourceArn)
    throw new ApiError('ValidationException', 'Destination.Arn must be the event bus the archive is on.');
  const [from, to] = [epochMs(body, 'EventStartTime'), epochMs(body, 'EventEndTime')];
  if (from >= to) throw new ApiError('ValidationException', 'EventStartTime must be before EventEndTime.');
  const replay: ReplaySpec = {
    ReplayName: name,
    ReplayArn: arns.replay(name),
    EventSourceArn: sourceArn,
    Destination: { Arn: destination.Arn, FilterArns: destination.FilterArns },
    EventStartTime: from,
    EventEndTime: to,
    State: 'STARTING',
    ReplayStartTime: now(),
    Description: optionalString(body, 'Description'),
  };
  store.replays.set(name, replay);
  store.save();
  setImmediate(() => runReplay(replay, archive.spec.ArchiveName, context));
  return { ReplayArn: replay.ReplayArn, State: replay.State, ReplayStartTime: seconds(replay.ReplayStartTime) };
};

function runReplay(replay: ReplaySpec, archiveName: string, { store, router, now }: ActionContext) {
  replay.State = 'RUNNING';
  const bus = busName(replay.Destination.Arn);
  const onlyRules = replay.Destination.FilterArns?.length ? new Set(replay.Destination.FilterArns) : undefined;
  for (const { event } of store.archivedBetween(archiveName, replay.EventStartTime, replay.EventEndTime, now())) {
    router.route(bus, { ...event, 'replay-name': replay.ReplayName }, { onlyRules, replay: true });
    replay.EventLastReplayedTime = Date.parse(event.time);
  }
  replay.State = 'COMPLETED';
  replay.ReplayEndTime = now();
  store.save();
}

const describeReplay = (replay: ReplaySpec) => ({
  ...replay,
  EventStartTime: seconds(replay.EventStartTime),
  EventEndTime: seconds(replay.EventEndTime),
  ReplayStartTime: seconds(replay.ReplayStartTime),
  ReplayEndTime: seconds(replay.ReplayEndTime),
  EventLastReplayedTime: seconds(replay.EventLastReplayedTime),
});

export const archiveActions: Record<string, Action> = {
  CreateArchive,
  DescribeArchive: (body, context) => describeArchive(archiveOf(body, context).spec, context),
  ListArchives: (body, context) => {
    const prefix = optionalString(body, 'NamePrefix') ?? '';
    const archives = [...context.store.archives.values()].filter((a) => a.spec.ArchiveName.startsWith(prefix));
    return { Archives: archives.map((a) => describeArchive(a.spec, context)) };
  },
  DeleteArchive: (body, context) => {
    context.store.deleteArchive(archiveOf(body, context).spec.ArchiveName);
    return {};
  },
  StartReplay,
  DescribeReplay: (body, { store }) => {
    const replay = store.replays.get(requiredName(body, 'ReplayName'));
    if (!replay) throw notFound(`Replay ${String(body.ReplayName)}`);
    return describeReplay(replay);
  },
  ListReplays: (_body, { store }) => ({ Replays: [...store.replays.values()].map(describeReplay) }),
};
