/**
 * A local Step Functions endpoint: the part of the AWS JSON protocol the platform uses (StartExecution,
 * DescribeExecution, ListExecutions, StopExecution), so functions start sagas with the real
 * @aws-sdk/client-sfn. Executions run on aws-local-stepfunctions from the same ASL file CDK deploys,
 * with each Task state bound to the local handler module of the function it names in AWS.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { StateMachine } from 'aws-local-stepfunctions';

export type TaskHandler = (input: unknown) => Promise<unknown>;

export interface LocalStateMachine {
  name: string;
  /** The ASL document, placeholders already substituted. */
  definition: Record<string, unknown>;
  taskHandlers: Record<string, TaskHandler>;
}

type Status = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED';

interface Execution {
  executionArn: string;
  stateMachineArn: string;
  name: string;
  status: Status;
  startDate: number;
  stopDate?: number;
  input: string;
  output?: string;
  error?: string;
  cause?: string;
  abort: () => void;
  done: Promise<void>;
}

export interface StepFunctionsEmulator {
  endpoint: string;
  stateMachineArn(name: string): string;
  /** Resolves when no execution is running (tests and shutdown). */
  idle(timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

class ApiError extends Error {
  constructor(
    readonly type: string,
    message: string,
  ) {
    super(message);
  }
}

export async function startStepFunctionsEmulator(options: {
  port: number;
  region: string;
  machines: LocalStateMachine[];
  onExecutionEnd?: (execution: { name: string; status: Status; error?: string }) => void;
}): Promise<StepFunctionsEmulator> {
  const accountId = '000000000000';
  const arnOf = (name: string) => `arn:aws:states:${options.region}:${accountId}:stateMachine:${name}`;
  const machines = new Map(
    options.machines.map((m) => [arnOf(m.name), { spec: m, engine: new StateMachine(m.definition as never, { validationOptions: { checkArn: false } }) }]),
  );
  const executions = new Map<string, Execution>();
  const byName = new Map<string, Execution>();

  const describe = (e: Execution) => ({
    executionArn: e.executionArn,
    stateMachineArn: e.stateMachineArn,
    name: e.name,
    status: e.status,
    startDate: e.startDate,
    ...(e.stopDate !== undefined && { stopDate: e.stopDate }),
    input: e.input,
    ...(e.output !== undefined && { output: e.output }),
    ...(e.error !== undefined && { error: e.error }),
    ...(e.cause !== undefined && { cause: e.cause }),
  });

  const actions: Record<string, (body: Record<string, unknown>) => unknown> = {
    StartExecution: (body) => {
      const stateMachineArn = String(body.stateMachineArn ?? '');
      const machine = machines.get(stateMachineArn);
      if (!machine) throw new ApiError('StateMachineDoesNotExist', `State Machine Does Not Exist: '${stateMachineArn}'`);
      const name = body.name === undefined ? randomUUID() : String(body.name);
      if (!/^[A-Za-z0-9_-]{1,80}$/.test(name)) throw new ApiError('InvalidName', `Invalid Name: '${name}'`);
      const input = body.input === undefined ? '{}' : String(body.input);
      let parsedInput: unknown;
      try {
        parsedInput = JSON.parse(input);
      } catch {
        throw new ApiError('InvalidExecutionInput', 'Invalid Execution Input: not JSON');
      }
      const key = `${stateMachineArn}:${name}`;
      const existing = byName.get(key);
      // As in AWS: the same name and input while running is the same execution; anything else is refused.
      if (existing) {
        if (existing.status === 'RUNNING' && existing.input === input) return { executionArn: existing.executionArn, startDate: existing.startDate };
        throw new ApiError('ExecutionAlreadyExists', `Execution Already Exists: '${existing.executionArn}'`);
      }
      const executionArn = `arn:aws:states:${options.region}:${accountId}:execution:${machine.spec.name}:${name}`;
      const run = machine.engine.run(parsedInput as never, {
        overrides: { taskResourceLocalHandlers: machine.spec.taskHandlers as never },
        context: { Execution: { Id: executionArn, Name: name, Input: parsedInput, StartTime: new Date().toISOString() } } as never,
      });
      const execution: Execution = {
        executionArn,
        stateMachineArn,
        name,
        status: 'RUNNING',
        startDate: Date.now() / 1000,
        input,
        abort: run.abort,
        done: Promise.resolve(),
      };
      execution.done = run.result.then(
        (output: unknown) => {
          execution.status = 'SUCCEEDED';
          execution.output = JSON.stringify(output);
        },
        (error: Error & { cause?: unknown }) => {
          execution.status = error.name === 'ExecutionAbortedError' ? 'ABORTED' : error.name === 'ExecutionTimeoutError' ? 'TIMED_OUT' : 'FAILED';
          // A Fail state carries its own Error and Cause; other failures their error's name.
          const fail = error.cause as { name?: string; message?: string } | undefined;
          execution.error = fail?.name ?? error.name;
          execution.cause = fail?.message ?? error.message;
        },
      ).finally(() => {
        execution.stopDate = Date.now() / 1000;
        options.onExecutionEnd?.({ name, status: execution.status, error: execution.error });
      });
      executions.set(executionArn, execution);
      byName.set(key, execution);
      return { executionArn, startDate: execution.startDate };
    },
    DescribeExecution: (body) => {
      const execution = executions.get(String(body.executionArn ?? ''));
      if (!execution) throw new ApiError('ExecutionDoesNotExist', `Execution Does Not Exist: '${String(body.executionArn)}'`);
      return describe(execution);
    },
    ListExecutions: (body) => {
      const arn = String(body.stateMachineArn ?? '');
      if (!machines.has(arn)) throw new ApiError('StateMachineDoesNotExist', `State Machine Does Not Exist: '${arn}'`);
      const status = body.statusFilter as Status | undefined;
      const items = [...executions.values()]
        .filter((e) => e.stateMachineArn === arn && (!status || e.status === status))
        .sort((a, b) => b.startDate - a.startDate)
        .slice(0, Number(body.maxResults ?? 100) || 100)
        .map(({ executionArn, stateMachineArn, name, status: s, startDate, stopDate }) => ({ executionArn, stateMachineArn, name, status: s, startDate, ...(stopDate !== undefined && { stopDate }) }));
      return { executions: items };
    },
    StopExecution: (body) => {
      const execution = executions.get(String(body.executionArn ?? ''));
      if (!execution) throw new ApiError('ExecutionDoesNotExist', `Execution Does Not Exist: '${String(body.executionArn)}'`);
      if (execution.status === 'RUNNING') execution.abort();
      return { stopDate: Date.now() / 1000 };
    },
  };

  const server: Server = createServer(async (req, res) => {
    const reply = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      res.writeHead(status, { 'content-type': 'application/x-amz-json-1.0', ...headers });
      res.end(JSON.stringify(body));
    };
    try {
      const target = String(req.headers['x-amz-target'] ?? '');
      const action = target.startsWith('AWSStepFunctions.') ? actions[target.slice('AWSStepFunctions.'.length)] : undefined;
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      if (!action) throw new ApiError('UnknownOperationException', `Unsupported operation ${target || '(none)'}`);
      let body: Record<string, unknown>;
      try {
        body = chunks.length ? (JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>) : {};
      } catch {
        throw new ApiError('SerializationException', 'Request body is not JSON');
      }
      reply(200, action(body));
    } catch (e) {
      if (e instanceof ApiError) return reply(400, { __type: e.type, message: e.message }, { 'x-amzn-errortype': e.type });
      reply(500, { __type: 'InternalFailure', message: (e as Error).message });
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, '127.0.0.1', () => resolve());
  });

  const idle = async (timeoutMs = 30_000) => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const running = [...executions.values()].filter((e) => e.status === 'RUNNING');
      if (running.length === 0) return;
      if (Date.now() > deadline) throw new Error(`${running.length} executions still running`);
      await Promise.race([Promise.all(running.map((e) => e.done)), new Promise((r) => setTimeout(r, 100))]);
    }
  };

  return {
    endpoint: `http://127.0.0.1:${options.port}`,
    stateMachineArn: arnOf,
    idle,
    stop: async () => {
      // Executions in flight finish if they can; whatever is left is aborted, and the sweeper settles its orders later.
      await idle(5_000).catch(() => undefined);
      for (const e of executions.values()) if (e.status === 'RUNNING') e.abort();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
    },
  };
}
