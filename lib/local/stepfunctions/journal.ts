/**
 * The executions' journal, so that they outlive the process: DIR/executions.jsonl, one JSON record a line —
 * an execution's start, each top-level state it enters (with that state's input) and its end. A start and an
 * end are written and flushed to disk (fsync) before the call that caused them returns: an execution whose
 * StartExecution answered 200 survives a kill -9 or a power cut. States are written (the OS keeps them through
 * a kill -9) but not flushed: losing one to a power cut only makes a resumed execution run an earlier,
 * idempotent state again.
 *
 * Opening reads the journal back (a line torn by a crash is skipped), keeps finished executions within the
 * retention (as AWS keeps them 90 days, and at most a number of them), and rewrites it compacted: one record
 * per execution. A long run compacts again every COMPACT_AFTER_LINES records.
 */
import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, writeSync } from 'node:fs';
import path from 'node:path';
import { writeFileAtomically } from '../durable-file';
import type { EnteredState, ExecutionRecord, Outcome } from './types';

type JournalLine =
  | { t: 'start'; execution: ExecutionRecord }
  | { t: 'state'; executionArn: string; state: EnteredState }
  | { t: 'end'; executionArn: string; stopDate: number; outcome: Outcome }
  | { t: 'execution'; execution: ExecutionRecord };

export interface Retention {
  days: number;
  /** Finished executions kept at most (the newest). */
  finished: number;
}

export const DEFAULT_RETENTION: Retention = { days: 90, finished: 10_000 };
const COMPACT_AFTER_LINES = 20_000;
const DAY_SECONDS = 86_400;

export class ExecutionJournal {
  private appended = 0;
  private closed = false;

  private constructor(
    private readonly file: string,
    private fd: number,
    /** Every execution worth keeping, as the emulator knows them now (for compaction). */
    private readonly snapshot: () => ExecutionRecord[],
  ) {}

  /** The journal in dir, opened for appending, and the executions it holds. */
  static open(
    dir: string,
    options: { retention?: Retention; snapshot: () => ExecutionRecord[]; now?: number },
  ): { journal: ExecutionJournal; executions: ExecutionRecord[] } {
    mkdirSync(dir, { recursive: true });
    const file = path.join(dir, 'executions.jsonl');
    const executions = retain(
      readExecutions(file),
      options.retention ?? DEFAULT_RETENTION,
      options.now ?? Date.now() / 1000,
    );
    writeCompacted(file, executions);
    return { journal: new ExecutionJournal(file, openSync(file, 'a'), options.snapshot), executions };
  }

  started(execution: ExecutionRecord): void {
    this.append({ t: 'start', execution }, true);
  }

  entered(executionArn: string, state: EnteredState): void {
    this.append({ t: 'state', executionArn, state }, false);
  }

  ended(executionArn: string, stopDate: number, outcome: Outcome): void {
    this.append({ t: 'end', executionArn, stopDate, outcome }, true);
  }

  /** Nothing is written after this: executions cut short by a shutdown stay running in the journal. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    fsyncSync(this.fd);
    closeSync(this.fd);
  }

  private append(line: JournalLine, flush: boolean): void {
    if (this.closed) return;
    writeSync(this.fd, `${JSON.stringify(line)}\n`);
    if (flush) fsyncSync(this.fd);
    if (++this.appended >= COMPACT_AFTER_LINES) this.compact();
  }

  private compact(): void {
    closeSync(this.fd);
    writeCompacted(this.file, this.snapshot());
    this.fd = openSync(this.file, 'a');
    this.appended = 0;
  }
}

/** The journal's lines folded into one record per execution, in the order they started. */
export function readExecutions(file: string): ExecutionRecord[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw e;
  }
  const executions = new Map<string, ExecutionRecord>();
  for (const raw of text.split('\n')) {
    let line: JournalLine;
    try {
      line = JSON.parse(raw) as JournalLine;
    } catch {
      continue; // Empty, or torn by a crash mid-write.
    }
    apply(executions, line);
  }
  return [...executions.values()];
}

function apply(executions: Map<string, ExecutionRecord>, line: JournalLine): void {
  if (line.t === 'start' || line.t === 'execution') {
    executions.set(line.execution.executionArn, { ...line.execution });
    return;
  }
  const execution = executions.get(line.executionArn);
  // A state the engine reported after the execution's end changes nothing.
  if (!execution || execution.status !== 'RUNNING') return;
  if (line.t === 'state') {
    execution.lastState = line.state;
  } else {
    Object.assign(execution, line.outcome, { stopDate: line.stopDate });
    delete execution.lastState;
  }
}

function retain(executions: ExecutionRecord[], retention: Retention, now: number): ExecutionRecord[] {
  const oldest = now - retention.days * DAY_SECONDS;
  const finished = executions
    .filter((e) => e.status !== 'RUNNING' && (e.stopDate ?? e.startDate) >= oldest)
    .sort((a, b) => (b.stopDate ?? 0) - (a.stopDate ?? 0))
    .slice(0, retention.finished);
  const kept = new Set([...finished, ...executions.filter((e) => e.status === 'RUNNING')]);
  return executions.filter((e) => kept.has(e));
}

/** Replaces the file with one record per execution, atomically and durably (temporary file, fsync, rename). */
function writeCompacted(file: string, executions: ExecutionRecord[]): void {
  writeFileAtomically(
    file,
    executions.map((execution) => `${JSON.stringify({ t: 'execution', execution } satisfies JournalLine)}\n`).join(''),
  );
}
