/**
 * Reads a snapshot folder back and checks all of it before anything is restored: the manifest against its
 * checksum, every table file against its sha256 and item count, every object file against its sha256 and size.
 * Any mismatch refuses the whole snapshot, naming every file that is wrong.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import {
  MANIFEST_CHECKSUM_FILE,
  MANIFEST_FILE,
  SNAPSHOT_FORMAT,
  parseItemLine,
  sha256,
  type PlatformData,
  type SnapshotManifest,
} from './snapshot';

export class CorruptSnapshotError extends Error {
  constructor(
    dir: string,
    readonly problems: string[],
  ) {
    super(`The snapshot in ${dir} is damaged; nothing was restored:\n  ${problems.join('\n  ')}`);
    this.name = 'CorruptSnapshotError';
  }
}

const read = (dir: string, file: string): Buffer | undefined => {
  const full = path.resolve(dir, file);
  // A manifest naming a file outside the snapshot is damaged, not obeyed.
  if (!full.startsWith(path.resolve(dir) + path.sep) || !existsSync(full)) return undefined;
  return readFileSync(full);
};

function verifiedManifest(dir: string): SnapshotManifest {
  const text = read(dir, MANIFEST_FILE);
  const recorded = read(dir, MANIFEST_CHECKSUM_FILE)?.toString('utf8').split(/\s+/)[0];
  if (!text || !recorded)
    throw new CorruptSnapshotError(dir, [`${!text ? MANIFEST_FILE : MANIFEST_CHECKSUM_FILE} is missing`]);
  if (sha256(text) !== recorded) throw new CorruptSnapshotError(dir, [`${MANIFEST_FILE} does not match its checksum`]);
  const manifest = JSON.parse(text.toString('utf8')) as SnapshotManifest;
  if (manifest.format !== SNAPSHOT_FORMAT)
    throw new CorruptSnapshotError(dir, [`unknown snapshot format ${String(manifest.format)}`]);
  return manifest;
}

export function readVerifiedSnapshot(dir: string): { manifest: SnapshotManifest; data: PlatformData } {
  const manifest = verifiedManifest(dir);
  const problems: string[] = [];
  const data: PlatformData = { tables: {}, buckets: {} };
  for (const [key, entry] of Object.entries(manifest.tables)) {
    const body = read(dir, entry.file);
    if (!body) {
      problems.push(`${entry.file} is missing`);
      continue;
    }
    if (sha256(body) !== entry.sha256) {
      problems.push(`${entry.file} does not match its sha256`);
      continue;
    }
    const items = body.toString('utf8').split('\n').filter(Boolean).map(parseItemLine);
    if (items.length !== entry.items)
      problems.push(`${entry.file} holds ${items.length} items, the manifest says ${entry.items}`);
    data.tables[key] = { name: entry.name, items };
  }
  for (const [key, bucket] of Object.entries(manifest.buckets)) {
    data.buckets[key] = { name: bucket.name, objects: [] };
    for (const { file, size, sha256: digest, ...object } of bucket.objects) {
      const body = read(dir, file);
      if (!body) problems.push(`${file} (${key}/${object.key}) is missing`);
      else if (body.length !== size || sha256(body) !== digest)
        problems.push(`${file} (${key}/${object.key}) does not match its sha256`);
      else data.buckets[key].objects.push({ ...object, body });
    }
  }
  if (problems.length) throw new CorruptSnapshotError(dir, problems);
  return { manifest, data };
}
