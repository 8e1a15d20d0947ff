/**
 * The archive's format, pure: a batch of orders is one gzipped JSON object under a key derived from its order
 * ids alone (a rerun of the same batch writes the same key), described by a manifest (ids, count, sha256 of the
 * object's bytes). The order archive index (lib/tables.ts: orderArchiveIndex) keeps an item per archived order:
 * enough to list it (owner, createdAt), to reconcile payments (status, total, payment) and to find it
 * (archiveKey); the whole order lives in the archive object, and no longer in the orders table.
 */
import { createHash } from 'node:crypto';
import { gunzipSync, gzipSync } from 'node:zlib';

/** An order as stored in the orders table (storage attributes included): archived as it was, byte for byte. */
export type StoredOrder = Record<string, unknown> & {
  orderId: string;
  userId: string;
  createdAt: string;
  updatedAt: string;
};

export interface ArchiveManifest {
  batchId: string;
  /** The archive object's key in the archive bucket. */
  key: string;
  orderIds: string[];
  count: number;
  /** sha256 (hex) of the gzipped object's bytes. */
  sha256: string;
}

export interface ArchiveBatch {
  manifest: ArchiveManifest;
  body: Uint8Array;
}

/** Fields an archived order's index item keeps (with `archiveKey`). */
export const INDEX_FIELDS = [
  'orderId',
  'userId',
  'status',
  'total',
  'currency',
  'payment',
  'createdAt',
  'updatedAt',
  'testData',
] as const;

export const TERMINAL_STATUSES = ['CONFIRMED', 'CANCELLED'] as const;

export const sha256Hex = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

export const batchIdOf = (orderIds: readonly string[]) =>
  sha256Hex(Buffer.from([...orderIds].sort().join('\n'))).slice(0, 32);

export const archiveKeyOf = (batchId: string) => `orders/${batchId}.json.gz`;
export const MANIFEST_PREFIX = 'manifests/';
export const PENDING_PREFIX = 'pending/';
export const manifestKeyOf = (batchId: string) => `${MANIFEST_PREFIX}${batchId}.json`;
export const pendingKeyOf = (batchId: string) => `${PENDING_PREFIX}${batchId}.json`;

/** The batch's object and manifest: orders sorted by id, so the same orders always give the same bytes. */
export function encodeBatch(orders: readonly StoredOrder[]): ArchiveBatch {
  const sorted = [...orders].sort((a, b) => (a.orderId < b.orderId ? -1 : a.orderId > b.orderId ? 1 : 0));
  const orderIds = sorted.map((o) => o.orderId);
  const batchId = batchIdOf(orderIds);
  const body = gzipSync(JSON.stringify({ batchId, orders: sorted }));
  return {
    manifest: { batchId, key: archiveKeyOf(batchId), orderIds, count: orderIds.length, sha256: sha256Hex(body) },
    body,
  };
}

export class CorruptArchiveError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CorruptArchiveError';
  }
}

/** The orders of an archive object, checked against its manifest when one is given (checksum, ids, count). */
export function decodeBatch(body: Uint8Array, manifest?: ArchiveManifest): StoredOrder[] {
  if (manifest && sha256Hex(body) !== manifest.sha256)
    throw new CorruptArchiveError(`Archive ${manifest.key} does not match its manifest's sha256`);
  let orders: StoredOrder[];
  try {
    orders = (JSON.parse(gunzipSync(body).toString('utf8')) as { orders: StoredOrder[] }).orders;
  } catch (e) {
    throw new CorruptArchiveError(`Archive object is not gzipped JSON: ${(e as Error).message}`);
  }
  if (!Array.isArray(orders)) throw new CorruptArchiveError('Archive object holds no orders');
  if (manifest) {
    const ids = orders.map((o) => o.orderId);
    if (ids.length !== manifest.count || ids.some((id, i) => id !== manifest.orderIds[i]))
      throw new CorruptArchiveError(`Archive ${manifest.key} does not hold the orders its manifest lists`);
  }
  return orders;
}

/** An archived order's item in the archive index: the same for the same order and key, so a rerun rewrites it as it was. */
export function indexItemOf(order: StoredOrder, archiveKey: string): ArchiveIndexItem {
  const item: Record<string, unknown> = { archiveKey };
  for (const field of INDEX_FIELDS) if (order[field] !== undefined) item[field] = order[field];
  return item as ArchiveIndexItem;
}

export type ArchiveIndexItem = Record<string, unknown> & {
  orderId: string;
  userId: string;
  createdAt: string;
  archiveKey: string;
};
