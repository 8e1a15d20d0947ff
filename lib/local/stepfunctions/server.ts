/**
 * A local Step Functions endpoint: the part of the AWS JSON protocol the platform uses (StartExecution,
 * DescribeExecution, ListExecutions, StopExecution), so functions start sagas with the real
 * @aws-sdk/client-sfn. Executions run on aws-local-stepfunctions from the same ASL file CDK deploys, with each
 * Task state bound to the local handler module of the function it names in AWS (./engine.ts).
 *
 * With a data directory, executions outlive the process (./journal.ts): finished ones stay visible and keep
 * their names, and a restart resumes each running one from the last state it entered, with that state's input —
 * safe because the saga's Task steps are idempotent, and the step in flight at a crash runs again.
 */
import { StateMachine } from 'aws-local-stepfunctions';
import type { LocalCredentials } from '../guard/sigv4';
import { createActions } from './actions';
import { Executions } from './executions';
import { DEFAULT_RETENTION, ExecutionJournal, type Retention } from './journal';
import { stepFunctionsProtocol } from './protocol';
import type { CompiledStateMachine, ExecutionRecord, LocalStateMachine, Status } from './types';

export type { LocalStateMachine, TaskHandler } from './types';

export interface StepFunctionsEmulatorOptions {
  port: number;
  region: string;
  machines: LocalStateMachine[];
  /** The only credentials a request may be signed with (the platform's per-run secret). */
  credentials: LocalCredentials;
  /** Where the execution journal is kept; executions live in memory only without one. */
  dataDir?: string;
  retention?: Retention;
  /**
   * Running executions found in the journal resume once this resolves: their Task handlers read the
   * platform's environment when they load, so not before the platform has set it. At once by default.
   */
  resumeAfter?: Promise<unknown>;
  onExecutionEnd?: (execution: { name: string; status: Status; error?: string }) => void;
}

export interface StepFunctionsEmulator {
  endpoint: string;
  stateMachineArn(name: string): string;
  /** Resolves when no execution is running (tests and shutdown). */
  idle(timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

const ACCOUNT_ID = '000000000000';

export async function startStepFunctionsEmulator(
  options: StepFunctionsEmulatorOptions,
): Promise<StepFunctionsEmulator> {
  const arnOf = (name: string) => `arn:aws:states:${options.region}:${ACCOUNT_ID}:stateMachine:${name}`;
  const executionArnOf = (machine: string, name: string) =>
    `arn:aws:states:${options.region}:${ACCOUNT_ID}:execution:${machine}:${name}`;
  const machines = new Map<string, CompiledStateMachine>(
    options.machines.map((spec) => {
      const validationOptions = spec.validated ? { noValidate: true } : { checkArn: false };
      const engine = new StateMachine(spec.definition as never, { validationOptions });
      return [arnOf(spec.name), { arn: arnOf(spec.name), spec, engine }];
    }),
  );
  const retention = options.retention ?? DEFAULT_RETENTION;
  // The journal takes its compaction snapshot only after it has appended lines, by when `executions` exists.
  const opened = options.dataDir
    ? ExecutionJournal.open(options.dataDir, { retention, snapshot: (): ExecutionRecord[] => executions.records() })
    : undefined;
  const executions = new Executions({
    journal: opened?.journal,
    maxFinished: retention.finished,
    onEnd: options.onExecutionEnd,
  });
  const actions = createActions(machines, executions, executionArnOf);
  const server = await stepFunctionsProtocol.listen(options.port, actions, options.credentials).catch((e: unknown) => {
    opened?.journal.close();
    throw e;
  });
  restore(executions, machines, opened?.executions ?? [], options.resumeAfter);

  const running = executions;
  return {
    endpoint: `http://127.0.0.1:${options.port}`,
    stateMachineArn: arnOf,
    idle: (timeoutMs) => running.idle(timeoutMs),
    stop: async () => {
      // Executions in flight finish if they can; what is left resumes on the next start (with a journal) or
      // is abandoned, and the reservation sweeper settles its order.
      await running.idle(5_000).catch(() => undefined);
      running.shutdown();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
    },
  };
}

/** The journal's executions back in the emulator, finished ones oldest first (the first to be dropped). */
function restore(
  executions: Executions,
  machines: Map<string, CompiledStateMachine>,
  records: ExecutionRecord[],
  resumeAfter?: Promise<unknown>,
) {
  const byStop = [...records].sort((a, b) => (a.stopDate ?? Infinity) - (b.stopDate ?? Infinity));
  for (const record of byStop) executions.restore(record, machines.get(record.stateMachineArn), resumeAfter);
}
