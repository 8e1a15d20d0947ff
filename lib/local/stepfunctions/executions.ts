/**
 * The executions the emulator knows: running ones, and finished ones kept for DescribeExecution,
 * ListExecutions and name uniqueness (at most `maxFinished`, the newest). With a journal, every start, state
 * entered and end is written to it (./journal.ts) and a restart resumes what was running.
 */
import type { ExecutionJournal } from './journal';
import { runExecution } from './engine';
import type { CompiledStateMachine, EnteredState, ExecutionRecord, Outcome, Status } from './types';

export interface Execution {
  record: ExecutionRecord;
  /** Settles once the execution has ended, or the emulator has stopped it. */
  done: Promise<void>;
  abort: () => void;
  /** A StopExecution asked for the abort (not a shutdown). */
  stopRequested: boolean;
}

export interface ExecutionsOptions {
  journal?: ExecutionJournal;
  maxFinished: number;
  onEnd?: (execution: { name: string; status: Status; error?: string }) => void;
}

const nowSeconds = () => Date.now() / 1000;

/** A journal that cannot be written (a full disk) is reported; the execution itself goes on. */
function journaling(write: () => void): void {
  try {
    write();
  } catch (e) {
    console.error('local Step Functions: could not write the execution journal', e);
  }
}
const nameKey = (stateMachineArn: string, name: string) => `${stateMachineArn}:${name}`;

export class Executions {
  private readonly byArn = new Map<string, Execution>();
  private readonly byName = new Map<string, Execution>();
  /** Finished executions, oldest first: the first to go past maxFinished. */
  private readonly finished = new Set<Execution>();
  private shuttingDown = false;

  constructor(private readonly options: ExecutionsOptions) {}

  find(executionArn: string): Execution | undefined {
    return this.byArn.get(executionArn);
  }

  named(stateMachineArn: string, name: string): Execution | undefined {
    return this.byName.get(nameKey(stateMachineArn, name));
  }

  list(stateMachineArn: string, status?: Status): ExecutionRecord[] {
    return [...this.byArn.values()]
      .map((e) => e.record)
      .filter((r) => r.stateMachineArn === stateMachineArn && (!status || r.status === status));
  }

  /** Every execution as the journal keeps it (its compaction). */
  records(): ExecutionRecord[] {
    return [...this.byArn.values()].map((e) => e.record);
  }

  /** Starts an execution; it is in the journal, on disk, when this returns. */
  start(machine: CompiledStateMachine, start: { executionArn: string; name: string; input: string }): ExecutionRecord {
    const record: ExecutionRecord = {
      ...start,
      stateMachineArn: machine.arn,
      status: 'RUNNING',
      startDate: nowSeconds(),
    };
    this.options.journal?.started(record);
    this.launch(this.add(record), machine);
    return record;
  }

  /** Takes back an execution read from the journal: a running one resumes from the last state it entered. */
  /** A journaled execution back in memory; a running one resumes once `resumeAfter` resolves. */
  restore(
    record: ExecutionRecord,
    machine: CompiledStateMachine | undefined,
    resumeAfter: Promise<unknown> = Promise.resolve(),
  ): void {
    const execution = this.add(record);
    if (record.status !== 'RUNNING') {
      this.finished.add(execution);
    } else if (machine) {
      void resumeAfter.then(() => this.launch(execution, machine, record.lastState));
    } else {
      this.finish(execution, {
        status: 'FAILED',
        error: 'States.Runtime',
        cause: `The state machine ${record.stateMachineArn} is no longer defined`,
      });
    }
  }

  stop(execution: Execution): void {
    execution.stopRequested = true;
    execution.abort();
  }

  /** Resolves when no execution is running (tests and shutdown). */
  async idle(timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const running = [...this.byArn.values()].filter((e) => e.record.status === 'RUNNING');
      if (running.length === 0) return;
      if (Date.now() > deadline) throw new Error(`${running.length} executions still running`);
      await Promise.race([Promise.all(running.map((e) => e.done)), new Promise((r) => setTimeout(r, 100))]);
    }
  }

  /** Aborts what still runs without recording an end, so that the next start resumes it; closes the journal. */
  shutdown(): void {
    this.shuttingDown = true;
    for (const execution of this.byArn.values()) if (execution.record.status === 'RUNNING') execution.abort();
    this.options.journal?.close();
  }

  private add(record: ExecutionRecord): Execution {
    const execution: Execution = { record, done: Promise.resolve(), abort: () => undefined, stopRequested: false };
    this.byArn.set(record.executionArn, execution);
    this.byName.set(nameKey(record.stateMachineArn, record.name), execution);
    return execution;
  }

  private launch(execution: Execution, machine: CompiledStateMachine, from?: EnteredState): void {
    const { record } = execution;
    const onStateEntered = (state: EnteredState) => {
      if (record.status !== 'RUNNING' || this.shuttingDown) return;
      record.lastState = state;
      this.options.journal?.entered(record.executionArn, state);
    };
    const run = runExecution(
      machine,
      { executionArn: record.executionArn, name: record.name, input: JSON.parse(record.input), from },
      (state) => journaling(() => onStateEntered(state)),
    );
    execution.abort = run.abort;
    execution.done = run.outcome.then((outcome) => journaling(() => this.finish(execution, outcome)));
  }

  private finish(execution: Execution, outcome: Outcome): void {
    const { record } = execution;
    if (record.status !== 'RUNNING') return;
    // Cut short by a shutdown, not by StopExecution: still running as far as the journal knows.
    if (this.shuttingDown && outcome.status === 'ABORTED' && !execution.stopRequested) return;
    Object.assign(record, outcome, { stopDate: nowSeconds() });
    delete record.lastState;
    this.options.journal?.ended(record.executionArn, record.stopDate!, outcome);
    this.options.onEnd?.({ name: record.name, status: record.status, error: record.error });
    this.finished.add(execution);
    for (const oldest of this.finished) {
      if (this.finished.size <= this.options.maxFinished) break;
      this.finished.delete(oldest);
      this.byArn.delete(oldest.record.executionArn);
      this.byName.delete(nameKey(oldest.record.stateMachineArn, oldest.record.name));
    }
  }
}
