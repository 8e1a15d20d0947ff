/**
 * Folders in memory (Linux's tmpfs, /dev/shm) linked from a data directory, for DynamoDB Local databases: a database
 * in a file is flushed to disk on every write, and one kept in DynamoDB Local's own memory (-inMemory) cannot be
 * indexed from outside (./dynamodb-local/stream-record-index.ts). A file in memory is neither. The link lets whoever
 * cleans the data directory up find the folder and remove it, also after a kill.
 */
import { existsSync, lstatSync, mkdtempSync, readlinkSync, rmSync, statfsSync, symlinkSync, unlinkSync } from 'node:fs';
import path from 'node:path';

/** Linux's memory-backed folder. */
export const MEMORY_ROOT = '/dev/shm';

export const freeBytes = (dir: string) => {
  try {
    const stats = statfsSync(dir);
    return stats.bavail * stats.bsize;
  } catch {
    return 0;
  }
};

export const isLink = (file: string) => existsSync(file) && lstatSync(file).isSymbolicLink();

/** A new folder in memory named `<prefix>…`, linked as `link`; undefined when there is no room for `bytes`. */
export function linkMemoryFolder(link: string, prefix: string, bytes: number): string | undefined {
  if (!existsSync(MEMORY_ROOT) || freeBytes(MEMORY_ROOT) < bytes) return undefined;
  const folder = mkdtempSync(path.join(MEMORY_ROOT, prefix));
  symlinkSync(folder, link);
  return folder;
}

/**
 * Removes the folder `link` points to, if it is one of ours (the link is in a directory anyone could have written),
 * and the link.
 */
export function removeLinkedMemoryFolder(link: string, prefix: string): void {
  if (!isLink(link)) return;
  const folder = readlinkSync(link);
  if (path.dirname(folder) === MEMORY_ROOT && path.basename(folder).startsWith(prefix))
    rmSync(folder, { recursive: true, force: true });
  unlinkSync(link);
}
