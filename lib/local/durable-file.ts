import { closeSync, fsyncSync, openSync, renameSync, writeSync } from 'node:fs';
import path from 'node:path';

/**
 * Replaces `file` with `content` atomically and durably: a temporary file beside it, written and flushed to disk,
 * then renamed over it. A reader (or a start after kill -9) sees the old file or the new one, never a torn one.
 * With `syncDirectory` the rename itself is flushed too, so it also survives losing power.
 */
export function writeFileAtomically(
  file: string,
  content: string,
  { syncDirectory = true }: { syncDirectory?: boolean } = {},
): void {
  const temporary = `${file}.${process.pid}.tmp`;
  const fd = openSync(temporary, 'w');
  try {
    writeSync(fd, content);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(temporary, file);
  if (syncDirectory) syncDirectoryOf(file);
}

/** Flushes a file's content, or a directory's entries (a rename or a new file in it), to disk. */
export function syncFile(file: string): void {
  const fd = openSync(file, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** Flushes a directory's entries (a rename or a new file in it) to disk. */
export const syncDirectory = (dir: string): void => syncFile(dir);

const syncDirectoryOf = (file: string) => syncDirectory(path.dirname(file));
