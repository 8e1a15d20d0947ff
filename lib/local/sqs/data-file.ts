/**
 * The data file the emulator keeps its queues and messages in across restarts: one JSON document, the whole
 * state, replaced atomically and durably on each write (temporary file, fsync, rename).
 */
import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { writeFileAtomically } from '../durable-file';
import type { Queue, StoredMessage } from './types';

const DATA_FILE_VERSION = 1;

interface DataFile {
  version: number;
  queues: Array<Omit<Queue, 'messages'> & { messages: StoredMessage[] }>;
}

/** The queues the file holds; none when there is no file yet. A file this emulator cannot read stops the start. */
export function readDataFile(file: string): Queue[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw e;
  }
  let data: DataFile;
  try {
    data = JSON.parse(text) as DataFile;
    if (data.version !== DATA_FILE_VERSION || !Array.isArray(data.queues))
      throw new Error(`unknown format (version ${data.version})`);
  } catch (e) {
    throw new Error(
      `${file} is not a readable SQS emulator data file (${(e as Error).message}); move it away to start with no queues`,
    );
  }
  return data.queues.map(({ messages, ...queue }) => ({ ...queue, messages: new Map(messages.map((m) => [m.id, m])) }));
}

/**
 * Writes the whole state to a temporary file, flushes it to disk and renames it over the data file. Synchronous,
 * so no other request's change interleaves with a write.
 */
export function writeDataFile(file: string, queues: Iterable<Queue>): void {
  const data: DataFile = {
    version: DATA_FILE_VERSION,
    queues: [...queues].map((q) => ({ ...q, messages: [...q.messages.values()] })),
  };
  mkdirSync(path.dirname(file), { recursive: true });
  // Every answered change rewrites the file: a kill -9 (what the emulators are built to survive) keeps the renamed
  // file without flushing the directory each time.
  writeFileAtomically(file, JSON.stringify(data), { syncDirectory: false });
}
