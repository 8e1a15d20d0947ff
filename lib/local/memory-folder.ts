/**
 * Folders in memory (Linux's tmpfs, /dev/shm) linked from a data directory, for DynamoDB Local databases: a database
 * in a file is flushed to disk on every write, and one kept in DynamoDB Local's own memory (-inMemory) cannot be
 * indexed from outside (./dynamodb-local/stream-record-index.ts). A file in memory is neither. The link lets whoever
 * cleans the data directory up find the folder and remove it, also after a kill. A folder's name carries the pid of
 * the process that made it, so that one left by a process killed before anyone cleaned up (a test run stopped with
 * SIGTERM, whose data directory stays) is removed the next time a folder of the same kind is made.
 */
import {
  existsSync,
  lstatSync,
  mkdtempSync,
  readdirSync,
  readlinkSync,
  rmSync,
  statfsSync,
  symlinkSync,
  unlinkSync,
} from 'node:fs';
import path from 'node:path';
import { isAlive } from './process-alive';

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

/** Whether `file` is a symbolic link, also one whose folder is gone (removed as an orphan). */
export const isLink = (file: string) => {
  try {
    return lstatSync(file).isSymbolicLink();
  } catch {
    return false;
  }
};

/**
 * A new folder in memory named `<prefix><pid>-…`, linked as `link`, once the folders of this prefix whose process has
 * ended are removed; undefined when there is no room for `bytes`.
 */
export function linkMemoryFolder(link: string, prefix: string, bytes: number): string | undefined {
  if (!existsSync(MEMORY_ROOT)) return undefined;
  removeOrphanedMemoryFolders(prefix);
  if (freeBytes(MEMORY_ROOT) < bytes) return undefined;
  const folder = mkdtempSync(path.join(MEMORY_ROOT, `${prefix}${process.pid}-`));
  symlinkSync(folder, link);
  return folder;
}

/**
 * Removes the folders `<prefix><pid>-…` whose process is no longer running. A folder whose name has no pid (made by
 * an earlier version) is left alone: nothing says whether it is in use.
 */
export function removeOrphanedMemoryFolders(prefix: string): void {
  for (const name of readdirSync(MEMORY_ROOT)) {
    if (!name.startsWith(prefix)) continue;
    const pid = /^(\d+)-/.exec(name.slice(prefix.length))?.[1];
    if (pid && !isAlive(Number(pid))) rmSync(path.join(MEMORY_ROOT, name), { recursive: true, force: true });
  }
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
