/**
 * One execution on aws-local-stepfunctions: from the start, or resumed from a state it had entered. A resumed
 * run keeps the execution's own input as the engine's (so `$$.Execution.Input` is unchanged) and enters the
 * state through a Pass state that hands it its recorded input. The engine restarts `$$.Execution.StartTime`
 * and the definition's TimeoutSeconds: time the platform was down does not count.
 */
import { channel } from 'node:diagnostics_channel';
import { StateMachine } from 'aws-local-stepfunctions';
import type { CompiledStateMachine, EnteredState, Outcome } from './types';

const RESUME_STATE = 'Resume.FromJournal';

/**
 * Every state an execution enters and every retry of one (Map iterations and Parallel branches included),
 * published only while someone subscribes: the bench counts state transitions, which AWS bills retries
 * included, for its cost figures (test/bench/platform-child.ts).
 */
export const stateEnteredChannel = channel('ecicomm:local-sfn:state-entered');
export interface StateEnteredReport {
  executionArn: string;
  kind: 'StateEntered' | 'StateRetried';
  state: string;
  /** Set for a Map iteration's states. */
  index?: number;
}

/** The part of the engine's event log read here (its EventLog type is not exported). */
interface EngineEvent {
  type: string;
  /** Set on the events of a Map iteration. */
  index?: number;
  state?: { name: string; input: unknown };
}

export interface RunPlan {
  executionArn: string;
  name: string;
  /** The execution's input, parsed. */
  input: unknown;
  /** Where a resumed execution starts again; the definition's StartAt when absent. */
  from?: EnteredState;
}

export interface RunningExecution {
  abort: () => void;
  /** Settles with how the execution ended (an abort included); never rejects. */
  outcome: Promise<Outcome>;
}

export function runExecution(
  machine: CompiledStateMachine,
  plan: RunPlan,
  onStateEntered: (state: EnteredState) => void,
): RunningExecution {
  const states = (machine.spec.definition.States ?? {}) as Record<string, unknown>;
  if (plan.from && !(plan.from.name in states)) {
    const cause = `The state ${plan.from.name} the execution was in is no longer in ${machine.spec.name}'s definition`;
    return { abort: () => undefined, outcome: Promise.resolve({ status: 'FAILED', error: 'States.Runtime', cause }) };
  }
  const engine = plan.from ? resumingEngine(machine, plan.from) : machine.engine;
  const run = engine.run(plan.input as never, {
    overrides: { taskResourceLocalHandlers: machine.spec.taskHandlers as never },
    context: { Execution: { Id: plan.executionArn, Name: plan.name } },
  });
  void followStates(run.eventLogs, new Set(Object.keys(states)), onStateEntered, plan.executionArn);
  const outcome = run.result.then(
    (output: unknown): Outcome => ({ status: 'SUCCEEDED', output: JSON.stringify(output) }),
    (error: Error & { cause?: unknown }): Outcome => {
      const status =
        error.name === 'ExecutionAbortedError'
          ? 'ABORTED'
          : error.name === 'ExecutionTimeoutError'
            ? 'TIMED_OUT'
            : 'FAILED';
      // A Fail state carries its own Error and Cause; other failures their error's name.
      const fail = error.cause as { name?: string; message?: string } | undefined;
      return { status, error: fail?.name ?? error.name, cause: fail?.message ?? error.message };
    },
  );
  return { abort: run.abort, outcome };
}

/** The definition entered at `from`, through a Pass state whose result is the state's recorded input. */
function resumingEngine(machine: CompiledStateMachine, from: EnteredState): StateMachine {
  const definition = machine.spec.definition as { States: Record<string, unknown> };
  const resume = { Type: 'Pass', Result: from.input, Next: from.name };
  // The definition was validated when the emulator compiled it; the states before `from` are unreachable now.
  return new StateMachine(
    { ...definition, StartAt: RESUME_STATE, States: { ...definition.States, [RESUME_STATE]: resume } } as never,
    {
      validationOptions: { noValidate: true },
    },
  );
}

/** Reports each top-level state entered (not those of Map iterations or Parallel branches, nor the resume step). */
async function followStates(
  events: AsyncGenerator<EngineEvent>,
  topLevel: Set<string>,
  onStateEntered: (state: EnteredState) => void,
  executionArn: string,
) {
  for await (const event of events) {
    if ((event.type === 'StateEntered' || event.type === 'StateRetried') && stateEnteredChannel.hasSubscribers)
      stateEnteredChannel.publish({
        executionArn,
        kind: event.type,
        state: event.state?.name ?? '?',
        index: event.index,
      } satisfies StateEnteredReport);
    if (event.type !== 'StateEntered' || event.index !== undefined || !event.state || !topLevel.has(event.state.name))
      continue;
    onStateEntered({ name: event.state.name, input: event.state.input });
  }
}
