/**
 * A snapshot of the local platform's data, as a folder: one JSON-lines file per table (items in DynamoDB's own
 * JSON, so every type — sets, binary, numbers as written — comes back as it was), one file per object under
 * objects/<bucket>/ named by its sha256, and manifest.json listing every file with its sha256 and item count;
 * manifest.json's own sha256 is in manifest.sha256. Nothing is restored unless every one of them matches.
 */
import { createHash } from 'node:crypto';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';

export const SNAPSHOT_FORMAT = 'ecicomm-backup/1';
export const MANIFEST_FILE = 'manifest.json';
export const MANIFEST_CHECKSUM_FILE = 'manifest.sha256';

export type Item = Record<string, AttributeValue>;

export interface TableEntry {
  /** The table's physical name when backed up (restored under the restoring platform's name for the same key). */
  name: string;
  file: string;
  items: number;
  sha256: string;
}

export interface ObjectEntry {
  key: string;
  file: string;
  size: number;
  sha256: string;
  contentType?: string;
  storageClass?: string;
  metadata?: Record<string, string>;
}

export interface BucketEntry {
  name: string;
  objects: ObjectEntry[];
}

export interface SnapshotManifest {
  format: typeof SNAPSHOT_FORMAT;
  takenAt: string;
  /** How consistency was obtained (see consistency.ts). */
  consistency: { method: 'double-read'; attempts: number };
  tables: Record<string, TableEntry>;
  buckets: Record<string, BucketEntry>;
}

/** What was read from the platform: items per table key, objects per bucket key. */
export interface PlatformData {
  tables: Record<string, { name: string; items: Item[] }>;
  buckets: Record<string, { name: string; objects: StoredObject[] }>;
}

export interface StoredObject {
  key: string;
  body: Uint8Array;
  contentType?: string;
  storageClass?: string;
  metadata?: Record<string, string>;
}

export const sha256 = (data: Uint8Array | string) => createHash('sha256').update(data).digest('hex');

/**
 * JSON with every object's keys sorted: the same item always gives the same line. Bytes (a `B` or `BS` value)
 * are written in base64, as DynamoDB's JSON wire format writes them; `parseItemLine` turns them back.
 */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, function (this: Record<string, unknown>, key: string, v: unknown) {
    // `this[key]` is the value before toJSON: a Buffer would otherwise arrive as {type, data}.
    const raw = this[key];
    if (raw instanceof Uint8Array) return Buffer.from(raw).toString('base64');
    return v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(
          Object.entries(v as Record<string, unknown>).sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0)),
        )
      : v;
  });
}

/** One line of a table's file back to the item it was: base64 `B` and `BS` values become bytes again. */
export const parseItemLine = (line: string): Item => reviveItem(JSON.parse(line) as Item);

const reviveItem = (item: Item): Item =>
  Object.fromEntries(Object.entries(item).map(([name, value]) => [name, revive(value)]));

function revive(value: AttributeValue): AttributeValue {
  // In the file bytes are base64 strings (the SDK's type knows only bytes); snapshots written before that held
  // them as maps of index to byte, which still read back.
  const fromBase64 = (b: unknown) =>
    typeof b === 'string' ? Buffer.from(b, 'base64') : Buffer.from(Object.values(b as Record<string, number>));
  if (value.B !== undefined) return { B: fromBase64(value.B) };
  if (value.BS) return { BS: value.BS.map(fromBase64) };
  if (value.L) return { L: value.L.map(revive) };
  if (value.M) return { M: reviveItem(value.M) };
  return value;
}

/** A table's file: one item per line, lines sorted, so the same items always give the same bytes. */
export function tableFileText(items: Item[]): string {
  return items
    .map((item) => canonicalJson(item))
    .sort()
    .map((line) => `${line}\n`)
    .join('');
}

/** The digest of everything read: equal digests from two reads in a row mean nothing changed between them. */
export function dataDigest(data: PlatformData): string {
  const hash = createHash('sha256');
  for (const key of Object.keys(data.tables).sort())
    hash.update(`table ${key}\n`).update(tableFileText(data.tables[key].items));
  for (const key of Object.keys(data.buckets).sort())
    for (const o of [...data.buckets[key].objects].sort((a, b) => (a.key < b.key ? -1 : 1)))
      hash.update(
        `object ${key} ${o.key} ${o.storageClass ?? ''} ${JSON.stringify(o.metadata ?? {})} ${sha256(o.body)}\n`,
      );
  return hash.digest('hex');
}
