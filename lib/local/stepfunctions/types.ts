/** The shapes the local Step Functions emulator's parts share. */
import type { StateMachine } from 'aws-local-stepfunctions';

export type TaskHandler = (input: unknown) => Promise<unknown>;

export interface LocalStateMachine {
  name: string;
  /** The ASL document, placeholders already substituted. */
  definition: Record<string, unknown>;
  taskHandlers: Record<string, TaskHandler>;
  /**
   * The definition is checked elsewhere as valid ASL (a test, with the same asl-validator), so the engine is built
   * without validating it again: asl-validator compiles its JSON schemas anew on every call, about 0.6 s of CPU
   * on each start.
   */
  validated?: boolean;
}

/** A state machine ready to run: its ARN, what it was made from and the engine built from its definition. */
export interface CompiledStateMachine {
  arn: string;
  spec: LocalStateMachine;
  engine: StateMachine;
}

export type Status = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED';

/** How an execution ended. */
export interface Outcome {
  status: Exclude<Status, 'RUNNING'>;
  output?: string;
  error?: string;
  cause?: string;
}

/** A state an execution entered, with its input: where a resumed execution starts again. */
export interface EnteredState {
  name: string;
  input: unknown;
}

/** What is known of an execution, and what the journal keeps of it. Dates are epoch seconds, as on the wire. */
export interface ExecutionRecord extends Partial<Omit<Outcome, 'status'>> {
  executionArn: string;
  stateMachineArn: string;
  name: string;
  /** The input as given (a JSON string). */
  input: string;
  startDate: number;
  status: Status;
  stopDate?: number;
  /** The last top-level state a running execution entered. */
  lastState?: EnteredState;
}
