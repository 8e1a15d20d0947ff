/**
 * Persistence under the data directory, so that the indexes outlive the process:
 *   DIR/aliases.json                   every alias and its indexes (one file, so `_aliases` stays atomic)
 *   DIR/indices/<name>/meta.json       the index's settings and mapping
 *   DIR/indices/<name>/documents.jsonl an append-only journal of its writes, one JSON record a line
 * JSON files are replaced whole (temporary file, fsync, rename, fsync of the directory): a reader sees the old
 * file or the new one, never a torn one. A request's writes are appended and flushed (fsync) before its answer
 * is sent, so a kill -9 never loses an acknowledged write; a line torn by a crash (never acknowledged) is
 * skipped when the journal is read back. Opening rewrites the journal compacted (one record per live document
 * or tombstone), and a long run compacts it again as it grows.
 */
import {
  closeSync,
  existsSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeSync,
} from 'node:fs';
import path from 'node:path';
import type { JsonObject } from './dsl';
import { syncDirectory, writeFileAtomically } from '../durable-file';
import type { IndexMetadata } from './settings';

export type LogRecord =
  | { op: 'index'; id: string; v: number; seq: number; src: JsonObject }
  | { op: 'delete'; id: string; v: number; seq: number; at: number };

/** Compaction happens once the journal holds this many more lines than records worth keeping (and twice them). */
const COMPACT_AFTER_LINES = 10_000;

export class DocumentLog {
  private appended = 0;
  private dirty = false;

  private constructor(
    private readonly file: string,
    private fd: number,
  ) {}

  /** The journal in dir and the records it holds (a torn last line skipped). */
  static open(dir: string): { log: DocumentLog; records: LogRecord[] } {
    const file = path.join(dir, 'documents.jsonl');
    const records: LogRecord[] = [];
    if (existsSync(file)) {
      for (const line of readFileSync(file, 'utf8').split('\n')) {
        if (!line) continue;
        try {
          records.push(JSON.parse(line) as LogRecord);
        } catch {
          // Only the last line can be torn (by a crash while it was written, before it was acknowledged).
        }
      }
    }
    return { log: new DocumentLog(file, openSync(file, 'a')), records };
  }

  append(record: LogRecord): void {
    writeSync(this.fd, `${JSON.stringify(record)}\n`);
    this.appended++;
    this.dirty = true;
  }

  /** Makes every appended record durable; compacts when the journal has grown well past what it must keep. */
  flush(keep: () => Iterable<LogRecord>, kept: number): void {
    if (this.dirty) fsyncSync(this.fd);
    this.dirty = false;
    if (this.appended > Math.max(COMPACT_AFTER_LINES, 2 * kept)) this.compact(keep());
  }

  compact(records: Iterable<LogRecord>): void {
    const lines: string[] = [];
    for (const record of records) lines.push(JSON.stringify(record));
    closeSync(this.fd);
    writeFileAtomically(this.file, lines.length ? `${lines.join('\n')}\n` : '');
    this.fd = openSync(this.file, 'a');
    this.appended = 0;
  }

  close(): void {
    if (this.dirty) fsyncSync(this.fd);
    closeSync(this.fd);
  }
}

export interface StoredIndex {
  metadata: IndexMetadata;
  log: DocumentLog;
  records: LogRecord[];
}

export class ClusterStore {
  private readonly indicesDir: string;

  constructor(private readonly dataDir: string) {
    this.indicesDir = path.join(dataDir, 'indices');
    mkdirSync(this.indicesDir, { recursive: true });
  }

  /** The indexes and aliases found on disk; leftovers of a crash mid-create or mid-delete are removed. */
  load(): { indexes: StoredIndex[]; aliases: Record<string, string[]> } {
    const indexes: StoredIndex[] = [];
    for (const entry of readdirSync(this.indicesDir, { withFileTypes: true })) {
      const dir = path.join(this.indicesDir, entry.name);
      if (!entry.isDirectory() || entry.name.startsWith('.') || !existsSync(path.join(dir, 'meta.json'))) {
        rmSync(dir, { recursive: true, force: true });
        continue;
      }
      const metadata = JSON.parse(readFileSync(path.join(dir, 'meta.json'), 'utf8')) as IndexMetadata;
      indexes.push({ metadata, ...DocumentLog.open(dir) });
    }
    const aliasesFile = path.join(this.dataDir, 'aliases.json');
    const aliases = existsSync(aliasesFile)
      ? (JSON.parse(readFileSync(aliasesFile, 'utf8')) as Record<string, string[]>)
      : {};
    return { indexes, aliases };
  }

  /** A new index's directory, made whole in a hidden directory and then renamed into place. */
  createIndex(metadata: IndexMetadata): DocumentLog {
    const hidden = path.join(this.indicesDir, `.creating-${metadata.name}`);
    rmSync(hidden, { recursive: true, force: true });
    mkdirSync(hidden);
    writeFileAtomically(path.join(hidden, 'meta.json'), JSON.stringify(metadata));
    renameSync(hidden, path.join(this.indicesDir, metadata.name));
    syncDirectory(this.indicesDir);
    return DocumentLog.open(path.join(this.indicesDir, metadata.name)).log;
  }

  writeMetadata(metadata: IndexMetadata): void {
    writeFileAtomically(path.join(this.indicesDir, metadata.name, 'meta.json'), JSON.stringify(metadata));
  }

  deleteIndex(name: string): void {
    const hidden = path.join(this.indicesDir, `.deleting-${name}`);
    renameSync(path.join(this.indicesDir, name), hidden);
    syncDirectory(this.indicesDir);
    rmSync(hidden, { recursive: true, force: true });
  }

  writeAliases(aliases: Record<string, string[]>): void {
    writeFileAtomically(path.join(this.dataDir, 'aliases.json'), JSON.stringify(aliases));
  }
}
