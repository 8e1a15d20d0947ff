/**
 * The local Step Functions emulator in a process of its own, for tests that kill it: `node --import tsx
 * test/support/stepfunctions-child.ts <dataDir> <port> <taskLog>`, the secret in STEPFUNCTIONS_SECRET. It runs
 * the state machine `twoSteps` (First → Second → Done); each Task appends `<state> <input.id> <pid>` to taskLog
 * and adds what it did to its input. With HANG=1, a Task named by the input's `hangIn` never finishes (it
 * appends `… hanging` first). Prints `ready` once it listens; SIGTERM stops it as the platform stops it.
 */
import { appendFileSync } from 'node:fs';
import { startStepFunctionsEmulator } from '@ecicomm/local-platform/stepfunctions/server';

const CHILD_REGION = 'eu-west-2';
const TWO_STEPS = 'twoSteps';

const [dataDir, port, taskLog] = process.argv.slice(2) as [string, string, string];
const hang = process.env.HANG === '1';

const task = (state: string, adds: Record<string, unknown>) => async (input: unknown) => {
  const event = input as { id: string; hangIn?: string };
  if (hang && event.hangIn === state) {
    appendFileSync(taskLog, `${state} ${event.id} ${process.pid} hanging\n`);
    return new Promise(() => undefined);
  }
  appendFileSync(taskLog, `${state} ${event.id} ${process.pid}\n`);
  return { ...event, ...adds };
};

const lambdaArn = (name: string) => `arn:aws:lambda:${CHILD_REGION}:000000000000:function:${name}`;
const emulator = await startStepFunctionsEmulator({
  port: Number(port),
  region: CHILD_REGION,
  credentials: { accessKeyId: 'local', secretAccessKey: process.env.STEPFUNCTIONS_SECRET! },
  dataDir,
  machines: [
    {
      name: TWO_STEPS,
      definition: {
        StartAt: 'First',
        States: {
          First: { Type: 'Task', Resource: lambdaArn('first'), Next: 'Second' },
          Second: { Type: 'Task', Resource: lambdaArn('second'), Next: 'Done' },
          Done: { Type: 'Succeed' },
        },
      },
      taskHandlers: {
        First: task('First', { firstRanIn: process.pid }),
        Second: task('Second', { secondRanIn: process.pid }),
      },
    },
  ],
});
process.once('SIGTERM', () => void emulator.stop().then(() => process.exit(0)));
console.log('ready');
