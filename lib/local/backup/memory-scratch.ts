/**
 * Where a restore's DynamoDB Local writes its tables before they are copied into the data directory.
 *
 * DynamoDB Local on disk (-dbPath) commits every item of a BatchWriteItem as its own SQLite transaction, each
 * flushed to disk: a restore of 3,300 items took 18 s on disk and 6 s on tmpfs, and one of 9,300 items (the
 * integration platform's at the end of its run) 90 s. So the tables are loaded where a flush costs nothing (a
 * memory-backed folder), then the finished database is copied into the data directory and flushed once.
 *
 * The scratch folder is linked from the staging directory (`<staging>/dynamodb` -> scratch) while it is in use: a
 * restore killed midway leaves the link behind, and the next restore removes what it points to (memory, not disk,
 * until it is) along with the staging directory.
 */
import { copyFileSync, mkdirSync, readdirSync, renameSync, rmSync, unlinkSync } from 'node:fs';
import path from 'node:path';
import { syncDirectory, syncFile } from '../durable-file';
import { isLink, linkMemoryFolder, removeLinkedMemoryFolder } from '../memory-folder';

/**
 * Free room asked for, as a multiple of the items' JSON: DynamoDB Local's file (items, their indexes and a stream
 * record each) was 3.2 times it for the integration platform's 9,262 items (10.6 MB -> 33.6 MB); a full scratch
 * folder would fail the restore, so the rest is margin. Without the room, the tables load on disk as before.
 */
const ROOM_FACTOR = 6;
const SCRATCH_PREFIX = 'ecicomm-restore-';

/**
 * A scratch folder for `bytes` of items, linked as `<staging>/dynamodb`: in memory when there is room for them,
 * else the data directory's own folder (no link), as before.
 */
export function tablesScratch(staging: string, bytes: number): string {
  const target = path.join(staging, 'dynamodb');
  const scratch = linkMemoryFolder(target, SCRATCH_PREFIX, bytes * ROOM_FACTOR);
  if (scratch) return scratch;
  mkdirSync(target, { recursive: true });
  return target;
}

/**
 * Replaces the link with a copy of the scratch folder's files, flushed to disk, and removes the scratch folder
 * (DynamoDB Local must have stopped: its database is complete only then).
 */
export function settleTables(staging: string, scratch: string): void {
  const target = path.join(staging, 'dynamodb');
  if (!isLink(target)) return;
  // In an order a kill at any point leaves either the link or no scratch folder behind.
  const copy = `${target}.settling`;
  mkdirSync(copy);
  for (const name of readdirSync(scratch)) {
    copyFileSync(path.join(scratch, name), path.join(copy, name));
    syncFile(path.join(copy, name));
  }
  rmSync(scratch, { recursive: true, force: true });
  unlinkSync(target);
  renameSync(copy, target);
  syncDirectory(staging);
}

/** Removes the scratch folder a killed restore's staging directory links to (its DynamoDB Local stopped first). */
export function removeLeftoverScratch(staging: string): void {
  removeLinkedMemoryFolder(path.join(staging, 'dynamodb'), SCRATCH_PREFIX);
}
