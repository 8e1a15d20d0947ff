/**
 * Checkpoints of a mapping: the last processed sequence number per shard and the finished shards, kept in
 * memory and, optionally, in a JSON file written after each batch so a restart resumes after it.
 */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { ShardState } from './types';

interface CheckpointFile {
  version: 1;
  sourceArn: string;
  shards: Record<string, { sequenceNumber?: string; finished?: boolean }>;
}

export type SavedCheckpoint = CheckpointFile['shards'][string];

export class Checkpoints {
  private writing: Promise<void> = Promise.resolve();

  private constructor(
    private readonly file: string | undefined,
    private readonly sourceArn: string,
    private readonly saved: CheckpointFile['shards'],
    private readonly report: (e: unknown, where: string) => void,
  ) {}

  static async load(
    file: string | undefined,
    sourceArn: string,
    report: (e: unknown, where: string) => void,
  ): Promise<Checkpoints> {
    const saved: CheckpointFile['shards'] = {};
    if (file) {
      try {
        const data = JSON.parse(await readFile(file, 'utf8')) as CheckpointFile;
        // A table re-created since gets a new stream: its old checkpoints mean nothing.
        if (data.version === 1 && data.sourceArn === sourceArn) Object.assign(saved, data.shards);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'ENOENT')
          throw new Error(`${file} is not a readable checkpoint file: ${(e as Error).message}`);
      }
    }
    return new Checkpoints(file, sourceArn, saved, report);
  }

  /** What the file said about a shard when the mapping started. */
  savedFor(shardId: string): SavedCheckpoint | undefined {
    return this.saved[shardId];
  }

  /** Writes the shards' state (after the writes already queued); shards no longer listed keep their saved entry. */
  persist(shards: Iterable<ShardState>): Promise<void> {
    const file = this.file;
    if (!file) return Promise.resolve();
    const data: CheckpointFile = { version: 1, sourceArn: this.sourceArn, shards: { ...this.saved } };
    for (const s of shards)
      data.shards[s.shardId] = {
        ...(s.checkpoint ? { sequenceNumber: s.checkpoint } : {}),
        ...(s.finished ? { finished: true } : {}),
      };
    this.writing = this.writing.then(async () => {
      try {
        await mkdir(path.dirname(file), { recursive: true });
        const temporary = `${file}.${process.pid}.tmp`;
        await writeFile(temporary, JSON.stringify(data, null, 2));
        await rename(temporary, file);
      } catch (e) {
        this.report(e, `writing ${file}`);
      }
    });
    return this.writing;
  }
}
