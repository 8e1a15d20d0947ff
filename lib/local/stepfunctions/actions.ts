/** The Step Functions actions the platform uses, over the emulator's executions. */
import { randomUUID } from 'node:crypto';
import { ApiError } from './protocol';
import type { Executions } from './executions';
import type { CompiledStateMachine, ExecutionRecord, Status } from './types';

export type Action = (body: Record<string, unknown>) => unknown;

const NAME = /^[A-Za-z0-9_-]{1,80}$/;

/** DescribeExecution's answer: the record without what only the journal needs. */
const describe = ({ lastState: _lastState, ...record }: ExecutionRecord) => record;

export function createActions(
  machines: Map<string, CompiledStateMachine>,
  executions: Executions,
  executionArnOf: (machine: string, name: string) => string,
): Record<string, Action> {
  const machineOf = (arn: unknown) => {
    const machine = machines.get(String(arn ?? ''));
    if (!machine) throw new ApiError('StateMachineDoesNotExist', `State Machine Does Not Exist: '${String(arn)}'`);
    return machine;
  };
  const executionOf = (arn: unknown) => {
    const execution = executions.find(String(arn ?? ''));
    if (!execution) throw new ApiError('ExecutionDoesNotExist', `Execution Does Not Exist: '${String(arn)}'`);
    return execution;
  };

  return {
    StartExecution: (body) => {
      const machine = machineOf(body.stateMachineArn);
      const name = body.name === undefined ? randomUUID() : String(body.name);
      if (!NAME.test(name)) throw new ApiError('InvalidName', `Invalid Name: '${name}'`);
      const input = body.input === undefined ? '{}' : String(body.input);
      try {
        JSON.parse(input);
      } catch {
        throw new ApiError('InvalidExecutionInput', 'Invalid Execution Input: not JSON');
      }
      const existing = executions.named(machine.arn, name)?.record;
      // As in AWS: the same name and input while running is the same execution; anything else is refused, also
      // after the execution ended (names stay taken as long as the execution is kept) and across restarts.
      if (existing) {
        if (existing.status === 'RUNNING' && existing.input === input)
          return { executionArn: existing.executionArn, startDate: existing.startDate };
        throw new ApiError('ExecutionAlreadyExists', `Execution Already Exists: '${existing.executionArn}'`);
      }
      const started = executions.start(machine, { executionArn: executionArnOf(machine.spec.name, name), name, input });
      return { executionArn: started.executionArn, startDate: started.startDate };
    },
    DescribeExecution: (body) => describe(executionOf(body.executionArn).record),
    ListExecutions: (body) => {
      const machine = machineOf(body.stateMachineArn);
      const items = executions
        .list(machine.arn, body.statusFilter as Status | undefined)
        .sort((a, b) => b.startDate - a.startDate)
        .slice(0, Number(body.maxResults ?? 100) || 100)
        .map(({ executionArn, stateMachineArn, name, status, startDate, stopDate }) => ({
          executionArn,
          stateMachineArn,
          name,
          status,
          startDate,
          ...(stopDate !== undefined && { stopDate }),
        }));
      return { executions: items };
    },
    StopExecution: (body) => {
      const execution = executionOf(body.executionArn);
      if (execution.record.status === 'RUNNING') executions.stop(execution);
      return { stopDate: Date.now() / 1000 };
    },
  };
}
