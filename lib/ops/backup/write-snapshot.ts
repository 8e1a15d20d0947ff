/** Writes what was read as a snapshot folder (snapshot.ts), the manifest last: a folder without one is no snapshot. */
import { mkdirSync, readdirSync, writeFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import {
  MANIFEST_CHECKSUM_FILE,
  MANIFEST_FILE,
  SNAPSHOT_FORMAT,
  sha256,
  tableFileText,
  type PlatformData,
  type SnapshotManifest,
} from './snapshot';

export function writeSnapshot(
  dir: string,
  data: PlatformData,
  meta: { takenAt: string; attempts: number },
): SnapshotManifest {
  if (existsSync(dir) && readdirSync(dir).length > 0)
    throw new Error(`${dir} is not empty: a snapshot goes into a new or empty folder`);
  mkdirSync(path.join(dir, 'tables'), { recursive: true });
  const manifest: SnapshotManifest = {
    format: SNAPSHOT_FORMAT,
    takenAt: meta.takenAt,
    consistency: { method: 'double-read', attempts: meta.attempts },
    tables: {},
    buckets: {},
  };
  for (const [key, table] of Object.entries(data.tables)) {
    const text = tableFileText(table.items);
    const file = `tables/${key}.jsonl`;
    writeFileSync(path.join(dir, file), text);
    manifest.tables[key] = { name: table.name, file, items: table.items.length, sha256: sha256(text) };
  }
  for (const [key, bucket] of Object.entries(data.buckets)) {
    mkdirSync(path.join(dir, 'objects', key), { recursive: true });
    manifest.buckets[key] = { name: bucket.name, objects: [] };
    for (const object of bucket.objects) {
      const digest = sha256(object.body);
      // Named by content: any key (slashes, dots) is safe, and equal objects are stored once.
      const file = `objects/${key}/${digest}`;
      writeFileSync(path.join(dir, file), object.body);
      const { body: _body, ...described } = object;
      manifest.buckets[key].objects.push({ ...described, file, size: object.body.length, sha256: digest });
    }
  }
  const manifestText = JSON.stringify(manifest, null, 2);
  writeFileSync(path.join(dir, MANIFEST_FILE), manifestText);
  writeFileSync(path.join(dir, MANIFEST_CHECKSUM_FILE), `${sha256(manifestText)}  ${MANIFEST_FILE}\n`);
  return manifest;
}
