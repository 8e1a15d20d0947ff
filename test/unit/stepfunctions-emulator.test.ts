/**
 * The local Step Functions endpoint: it answers only the platform's callers (requests signed with its per-run
 * secret, never a browser's), and its executions outlive the process — a kill -9 or a stop — when it has a data
 * directory. The durability tests run the emulator in a child process (test/support/stepfunctions-child.ts)
 * and kill it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, it } from '@jest/globals';
import { eventually } from '../support/eventually';
import { expect } from '../support/expect';
import {
  DescribeExecutionCommand,
  ListExecutionsCommand,
  SFNClient,
  StartExecutionCommand,
  type DescribeExecutionCommandOutput,
} from '@aws-sdk/client-sfn';
import { freePort } from '@ecicomm/local-platform/emulators';
import { projectRoot } from '@ecicomm/local-platform/platform';
import { startStepFunctionsEmulator, type StepFunctionsEmulator } from '@ecicomm/local-platform/stepfunctions/server';

const region = 'eu-west-2';
const credentials = { accessKeyId: 'local', secretAccessKey: randomBytes(32).toString('base64url') };
const sfnClient = (endpoint: string, secretAccessKey = credentials.secretAccessKey) =>
  new SFNClient({ region, endpoint, credentials: { ...credentials, secretAccessKey }, maxAttempts: 1 });

describe('the definitions it is given', () => {
  // A Task without Resource is not Amazon States Language: asl-validator's schema requires one.
  const invalid = { StartAt: 'Broken', States: { Broken: { Type: 'Task', End: true } } };
  const start = async (validated?: boolean) =>
    startStepFunctionsEmulator({
      port: await freePort(),
      region,
      credentials,
      machines: [{ name: 'broken', definition: invalid, taskHandlers: {}, ...(validated ? { validated } : {}) }],
    });

  it('refuses to start with a definition that is not valid ASL, naming the problem', async () => {
    await expect(start()).rejects.toThrow(/definition is invalid/);
  });

  it('does not validate again a definition marked as validated elsewhere', async () => {
    const emulator = await start(true);
    await emulator.stop();
  });
});

describe('who may call it', () => {
  let emulator: StepFunctionsEmulator;
  let sfn: SFNClient;
  const invoked: unknown[] = [];
  const machineArn = () => emulator.stateMachineArn('echo');

  beforeAll(async () => {
    emulator = await startStepFunctionsEmulator({
      port: await freePort(),
      region,
      credentials,
      machines: [
        {
          name: 'echo',
          definition: {
            StartAt: 'Echo',
            States: {
              Echo: { Type: 'Task', Resource: 'arn:aws:lambda:eu-west-2:000000000000:function:echo', End: true },
            },
          },
          taskHandlers: { Echo: async (input) => (invoked.push(input), input) },
        },
      ],
    });
    sfn = sfnClient(emulator.endpoint);
  });
  afterAll(async () => {
    sfn?.destroy();
    await emulator?.stop();
  });

  const post = (headers: Record<string, string>, body: unknown) =>
    fetch(emulator.endpoint, {
      method: 'POST',
      headers: { 'x-amz-target': 'AWSStepFunctions.StartExecution', ...headers },
      body: JSON.stringify(body),
    });

  it('refuses what a web page can send without a preflight, and one with an Origin header, and starts nothing', async () => {
    const start = { stateMachineArn: machineArn(), name: 'from-a-page', input: '{"orderId":"ord_x"}' };
    for (const contentType of ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x']) {
      const response = await post({ 'content-type': contentType }, start);
      expect([response.status, response.headers.get('x-amzn-errortype')], contentType).toEqual([
        415,
        'UnsupportedMediaTypeException',
      ]);
    }
    const withOrigin = await post(
      { 'content-type': 'application/x-amz-json-1.0', origin: 'http://evil.example' },
      start,
    );
    expect(withOrigin.status).toBe(403);
    const unsigned = await post({ 'content-type': 'application/x-amz-json-1.0' }, start);
    expect([unsigned.status, ((await unsigned.json()) as { __type: string }).__type]).toEqual([
      403,
      'MissingAuthenticationTokenException',
    ]);
    expect((await sfn.send(new ListExecutionsCommand({ stateMachineArn: machineArn() }))).executions).toEqual([]);
    expect(invoked).toEqual([]);
  });

  it('refuses a client signing with another secret (403), and runs what the right one starts', async () => {
    const guessing = sfnClient(emulator.endpoint, 'local');
    const refused = await guessing
      .send(new StartExecutionCommand({ stateMachineArn: machineArn(), input: '{}' }))
      .catch((e: { name: string; $metadata: { httpStatusCode: number } }) => e);
    expect(refused).toMatchObject({ name: 'InvalidSignatureException', $metadata: { httpStatusCode: 403 } });
    guessing.destroy();
    expect(invoked).toEqual([]);

    const { executionArn } = await sfn.send(
      new StartExecutionCommand({ stateMachineArn: machineArn(), input: '{"n":1}' }),
    );
    await emulator.idle();
    expect(await sfn.send(new DescribeExecutionCommand({ executionArn }))).toMatchObject({
      status: 'SUCCEEDED',
      output: '{"n":1}',
    });
  });

  it('refuses a request over 1 MiB with a 413 RequestEntityTooLarge, and starts nothing', async () => {
    const input = JSON.stringify({ blob: 'x'.repeat(1024 * 1024) });
    const refused = await sfn
      .send(new StartExecutionCommand({ stateMachineArn: machineArn(), name: 'too-large', input }))
      .catch((e: { name: string; message: string; $metadata: { httpStatusCode: number } }) => e);
    expect(refused).toMatchObject({
      name: 'RequestEntityTooLarge',
      message: 'Requests must be at most 1048576 bytes',
      $metadata: { httpStatusCode: 413 },
    });
    const names = (await sfn.send(new ListExecutionsCommand({ stateMachineArn: machineArn() }))).executions?.map(
      (e) => e.name,
    );
    expect(names).not.toContain('too-large');
  });

  it('refuses a name or input that is not a string (the protocol types both as strings), and starts nothing', async () => {
    const outcome = (start: Record<string, unknown>) =>
      sfn.send(new StartExecutionCommand({ stateMachineArn: machineArn(), ...start })).then(
        () => 'started',
        (e: { name: string }) => e.name,
      );
    expect(await outcome({ name: 'numeric-input', input: 5 })).toBe('InvalidExecutionInput');
    expect(await outcome({ name: 1234, input: '{}' })).toBe('InvalidName');
    const names = (await sfn.send(new ListExecutionsCommand({ stateMachineArn: machineArn() }))).executions?.map(
      (e) => e.name,
    );
    expect(names).not.toContain('numeric-input');
    expect(names).not.toContain('1234');
  });
});

// ---------------------------------------------------------------------------------------------------------

const CHILD = path.join(projectRoot, 'test/support/stepfunctions-child.ts');
const TWO_STEPS_ARN = `arn:aws:states:${region}:000000000000:stateMachine:twoSteps`;
const children: ChildProcess[] = [];
let dataDir: string;
let taskLog: string;

interface Child {
  process: ChildProcess;
  sfn: SFNClient;
  exited: Promise<void>;
}

/** The emulator in a child process on the test's data directory; resolves once it listens. */
async function startChild(hang: boolean): Promise<Child> {
  const port = await freePort();
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', CHILD, path.join(dataDir, 'stepfunctions'), String(port), taskLog],
    {
      cwd: projectRoot,
      env: { ...process.env, HANG: hang ? '1' : '0', STEPFUNCTIONS_SECRET: credentials.secretAccessKey },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  children.push(child);
  let output = '';
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    // Drained to the end, so the child never blocks on a full pipe.
    child.stdout.on('data', (b: Buffer) => ((output += b.toString()), output.includes('ready') && resolve()));
    child.stderr.on('data', (b: Buffer) => (output += b.toString()));
    void exited.then(() => reject(new Error(`the emulator exited before it was ready:\n${output}`)));
  });
  return { process: child, sfn: sfnClient(`http://127.0.0.1:${port}`), exited };
}

async function stopChild(child: Child, signal: NodeJS.Signals) {
  child.process.kill(signal);
  await child.exited;
  child.sfn.destroy();
}

const taskLines = () => (existsSync(taskLog) ? readFileSync(taskLog, 'utf8').trim().split('\n').filter(Boolean) : []);
const ran = (state: string, id: string) => taskLines().filter((line) => line.startsWith(`${state} ${id} `));

async function start(sfn: SFNClient, id: string, hangIn?: string) {
  const input = JSON.stringify({ id, ...(hangIn && { hangIn }) });
  const { executionArn, startDate } = await sfn.send(
    new StartExecutionCommand({ stateMachineArn: TWO_STEPS_ARN, name: `execution-${id}`, input }),
  );
  return { executionArn: executionArn!, startDate: startDate!, input };
}

async function ended(sfn: SFNClient, executionArn: string): Promise<DescribeExecutionCommandOutput> {
  let execution = await sfn.send(new DescribeExecutionCommand({ executionArn }));
  for (let i = 0; execution.status === 'RUNNING' && i < 600; i++) {
    await new Promise((r) => setTimeout(r, 50));
    execution = await sfn.send(new DescribeExecutionCommand({ executionArn }));
  }
  return execution;
}

describe('executions outlive the process', () => {
  beforeAll(() => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'stepfunctions-journal-'));
    taskLog = path.join(dataDir, 'tasks.log');
  });
  afterAll(() => {
    for (const child of children) child.kill('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('resumes a running execution from the state it was in after a kill -9: done steps are not run again', async () => {
    const first = await startChild(true);
    const inSecond = await start(first.sfn, 'a', 'Second');
    await eventually(() => expect(ran('Second', 'a')).toHaveLength(1), { timeout: 20_000 });
    const finished = await start(first.sfn, 'b');
    expect((await ended(first.sfn, finished.executionArn)).status).toBe('SUCCEEDED');
    // Killed as soon as StartExecution has answered: the execution must not be lost.
    const justStarted = await start(first.sfn, 'c', 'First');
    await stopChild(first, 'SIGKILL');

    const second = await startChild(false);
    const resumed = await ended(second.sfn, inSecond.executionArn);
    expect(resumed.status).toBe('SUCCEEDED');
    // Second ran on what First gave it in the first process: First was not run again.
    expect(JSON.parse(resumed.output!)).toEqual({
      id: 'a',
      hangIn: 'Second',
      firstRanIn: first.process.pid,
      secondRanIn: second.process.pid,
    });
    expect(resumed.startDate).toEqual(inSecond.startDate);
    expect(ran('First', 'a')).toHaveLength(1);
    expect(ran('Second', 'a')).toEqual([`Second a ${first.process.pid} hanging`, `Second a ${second.process.pid}`]);

    expect((await ended(second.sfn, justStarted.executionArn)).status).toBe('SUCCEEDED');
    expect(ran('Second', 'c')).toEqual([`Second c ${second.process.pid}`]);
    await stopChild(second, 'SIGTERM');
  }, 60_000);

  it('keeps finished executions across restarts: described, listed, and their names taken', async () => {
    const third = await startChild(false);
    const b = await third.sfn.send(
      new DescribeExecutionCommand({
        executionArn: `arn:aws:states:${region}:000000000000:execution:twoSteps:execution-b`,
      }),
    );
    expect(b).toMatchObject({ status: 'SUCCEEDED', name: 'execution-b', input: '{"id":"b"}' });
    expect(JSON.parse(b.output!)).toMatchObject({ id: 'b', secondRanIn: expect.any(Number) });
    const listed = await third.sfn.send(new ListExecutionsCommand({ stateMachineArn: TWO_STEPS_ARN }));
    expect(listed.executions!.map((e) => [e.name, e.status]).sort()).toEqual([
      ['execution-a', 'SUCCEEDED'],
      ['execution-b', 'SUCCEEDED'],
      ['execution-c', 'SUCCEEDED'],
    ]);
    for (const id of ['a', 'b']) {
      const again = await start(third.sfn, id).catch((e: { name: string }) => e);
      expect(again, id).toMatchObject({ name: 'ExecutionAlreadyExists' });
    }
    await stopChild(third, 'SIGTERM');
  }, 60_000);

  it('resumes an execution a stop left running, instead of recording it aborted', async () => {
    const fourth = await startChild(true);
    const stopped = await start(fourth.sfn, 'd', 'Second');
    await eventually(() => expect(ran('Second', 'd')).toHaveLength(1), { timeout: 20_000 });
    await stopChild(fourth, 'SIGTERM');

    const fifth = await startChild(false);
    const resumed = await ended(fifth.sfn, stopped.executionArn);
    expect(resumed.status).toBe('SUCCEEDED');
    expect(ran('First', 'd')).toHaveLength(1);
    await stopChild(fifth, 'SIGTERM');
  }, 60_000);
});
