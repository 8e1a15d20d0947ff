/**
 * Faults injected into the local saga on purpose, for crash testing: the platform kills itself (SIGKILL,
 * as a power cut would) right after a Task state's handler has done its work and before the state machine
 * has seen the result, or a Task fails outright now and then. Read from the environment once:
 *
 * - LOCAL_FAULT_KILL_AFTER=<State>[:<n>]   SIGKILL this process after the n-th (default 1st) completed <State>;
 * - LOCAL_FAULT_FAIL=<State>:<every>       every <every>-th invocation of <State> throws InjectedFault (not retried,
 *                                          so the saga compensates) instead of running.
 *
 * Nothing is injected when neither is set: `npm start` as users run it.
 */
import type { TaskHandler } from '../stepfunctions/types';

export interface FaultPlan {
  killAfter?: { state: string; nth: number };
  fail?: { state: string; every: number };
}

const STATE = /^[A-Za-z][A-Za-z0-9]{0,79}$/;

/** The plan the environment describes; a malformed value is refused at start, not ignored. */
export function faultPlanFromEnv(env: NodeJS.ProcessEnv = process.env): FaultPlan {
  const plan: FaultPlan = {};
  if (env.LOCAL_FAULT_KILL_AFTER) {
    const [state = '', nth = '1'] = env.LOCAL_FAULT_KILL_AFTER.split(':');
    if (!STATE.test(state) || !/^[1-9]\d*$/.test(nth))
      throw new Error(
        `LOCAL_FAULT_KILL_AFTER must be <State>[:<n>], e.g. ChargePayment:2, not ${env.LOCAL_FAULT_KILL_AFTER}`,
      );
    plan.killAfter = { state, nth: Number(nth) };
  }
  if (env.LOCAL_FAULT_FAIL) {
    const [state = '', every = ''] = env.LOCAL_FAULT_FAIL.split(':');
    if (!STATE.test(state) || !/^[1-9]\d*$/.test(every))
      throw new Error(`LOCAL_FAULT_FAIL must be <State>:<every>, e.g. ConfirmOrder:3, not ${env.LOCAL_FAULT_FAIL}`);
    plan.fail = { state, every: Number(every) };
  }
  return plan;
}

export class InjectedFault extends Error {
  constructor(state: string, count: number) {
    super(`LOCAL_FAULT_FAIL: invocation ${count} of ${state} fails on purpose`);
    this.name = 'InjectedFault';
  }
}

/** The Task handler with the plan's faults for its state around it (the handler itself when there are none). */
export function withFaults(
  state: string,
  handler: TaskHandler,
  plan: FaultPlan,
  kill: () => void = () => process.kill(process.pid, 'SIGKILL'),
): TaskHandler {
  const killsHere = plan.killAfter?.state === state ? plan.killAfter.nth : undefined;
  const failsEvery = plan.fail?.state === state ? plan.fail.every : undefined;
  if (killsHere === undefined && failsEvery === undefined) return handler;
  let invoked = 0;
  let completed = 0;
  return async (input) => {
    invoked += 1;
    if (failsEvery !== undefined && invoked % failsEvery === 0) throw new InjectedFault(state, invoked);
    const result = await handler(input);
    completed += 1;
    if (completed === killsHere) kill();
    return result;
  };
}
