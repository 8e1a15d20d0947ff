/** Archives: CreateArchive, DescribeArchive, ListArchives, DeleteArchive (their replays: ./replays.ts). */
import { ApiError } from '../../http/aws-json';
import { busName } from '../events';
import { notFound, optionalString, requiredName, type Action, type ActionContext } from '../context';
import type { ArchiveSpec } from '../types';
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
};
